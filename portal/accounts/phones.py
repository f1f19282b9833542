"""Phone numbers: everything is stored in E.164; Russian local forms are accepted."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(raw: str) -> str:
    """Return the E.164 form of a phone number, or raise ValidationError in Russian."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Укажите номер телефона."), code="phone_required")
    digits = "".join(ch for ch in text if ch.isdigit())
    # 8XXXXXXXXXX is the usual way Russians write a mobile number.
    if len(digits) == 11 and digits.startswith("8") and not text.startswith("+"):
        text = "+7" + digits[1:]
    try:
        number = phonenumbers.parse(text, "RU")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Номер телефона указан неверно."), code="phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Такого номера телефона не существует."), code="phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(identifier: str) -> bool:
    return "@" not in identifier and any(ch.isdigit() for ch in identifier)
