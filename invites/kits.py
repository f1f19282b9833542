"""Printable invite kits: one A4 PDF with a cut-out card per person, for a parents' meeting.

The functions here only read: they take invites (with their tokens or links), build what a card shows and
render it. Views and the API decide who may print what and call `kit_pdf`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import RUSSIAN_TIME_ZONES, Group, Organisation
from portal.exceptions import RuleViolation
from portal.mail import site_url

from .kit_drawing import CARDS_PER_PAGE, draw_kit
from .models import Invite, InviteRole
from .services.links import invite_url

_TZ_LABELS = dict(RUSSIAN_TIME_ZONES)


@dataclass(frozen=True)
class Card:
    name: str
    role: str
    group: str
    link: str
    short_link: str
    expires: str
    instructions: tuple[str, str, str]
    note: str
    personal: bool


# ---- what every output (kit, export, e-mail) shows in the same words ---------------------------------------


def link_for(invite: Invite, token_or_url: str | None = None) -> str | None:
    """The working link: given as a URL, built from a token, or decrypted from storage."""
    if token_or_url:
        if token_or_url.startswith(("http://", "https://")):
            return token_or_url
        return site_url("invites:join", token_or_url)
    return invite_url(invite)


def short_link(url: str) -> str:
    return url.split("://", 1)[-1]


def person_name(invite: Invite) -> str:
    """Who the card is for: the recipient's name, else the bound student's name."""
    if invite.recipient_name:
        return invite.recipient_name
    if invite.bound_student_id:
        return invite.bound_student.full_name
    return ""


def role_label(invite: Invite, organisation: Organisation) -> str:
    words = organisation.vocabulary
    if invite.role == InviteRole.TEACHER:
        return words.teacher.capitalize()
    if invite.role == InviteRole.STUDENT:
        return words.student.capitalize()
    if invite.bound_student_id and invite.recipient_name:
        return f"Родитель (законный представитель): {invite.bound_student.full_name}"
    if invite.bound_student_id:
        return "Родителям (законным представителям)"
    return "Родитель (законный представитель)"


def group_label(invite: Invite, group: Group | None = None) -> str:
    target = invite.target_group if invite.target_group_id else group
    if target is None or target.kind != Group.Kind.CLASS:
        return ""
    return target.name


def expiry_local(invite: Invite, organisation: Organisation) -> datetime:
    """The expiry in the organisation's time zone (aware)."""
    return timezone.localtime(invite.expires_at, ZoneInfo(organisation.time_zone))


def time_zone_label(organisation: Organisation) -> str:
    return _TZ_LABELS.get(organisation.time_zone, organisation.time_zone)


def expiry_text(invite: Invite, organisation: Organisation) -> str:
    zone = time_zone_label(organisation).replace(" (", ", ").rstrip(")")
    return f"{expiry_local(invite, organisation):%d.%m.%Y %H:%M} ({zone})"


def instructions(invite: Invite) -> tuple[str, str, str]:
    """Three lines for a parents' meeting; a parent is warned off the child's phone number."""
    sign_up = "Зарегистрируйтесь по своему номеру телефона и введите код из SMS."
    if invite.role == InviteRole.PARENT:
        sign_up = "Зарегистрируйтесь по своему номеру телефона (не ребёнка) и введите код из SMS."
    if invite.role == InviteRole.PARENT and not invite.bound_student_id:
        sign_up = "Зарегистрируйтесь по своему телефону (не ребёнка) и выберите или впишите ребёнка."
    return (
        "Откройте камеру телефона и наведите её на QR-код.",
        "Перейдите по появившейся ссылке или наберите адрес под кодом.",
        sign_up,
    )


# ---- the kit -------------------------------------------------------------------------------------------------


def card_note(invite: Invite) -> str:
    """Whose card it is: a personal link is for one person only; a shared one may be handed to several."""
    if invite.max_uses == 1:
        return "Личная ссылка: только для того, кому выписана."
    note = f"Общая ссылка: до {invite.max_uses} человек." if invite.max_uses else "Общая ссылка."
    if invite.role == InviteRole.PARENT and not invite.bound_student_id:
        note += f" Ребёнка подтвердит {invite.organisation.vocabulary.curator}."
    return note


def _normalise(items: Iterable) -> list[tuple[Invite, str | None]]:
    pairs = []
    for item in items:
        if isinstance(item, Invite):
            pairs.append((item, None))
        else:
            invite, token_or_url = item
            pairs.append((invite, token_or_url))
    return pairs


def kit_cards(items: Iterable, organisation: Organisation, group: Group | None = None) -> list[Card]:
    """The cards of a kit, in the given order. Items are invites, or (invite, token or link) pairs."""
    cards = []
    for invite, token_or_url in _normalise(items):
        url = link_for(invite, token_or_url)
        if url is None:
            raise RuleViolation(
                _(
                    "Ссылку одного из приглашений нельзя показать снова (сменился ключ шифрования). "
                    "Обновите эту ссылку и напечатайте комплект заново."
                ),
                code="invite_link_unavailable",
            )
        cards.append(
            Card(
                name=person_name(invite),
                role=role_label(invite, organisation),
                group=group_label(invite, group),
                link=url,
                short_link=short_link(url),
                expires=expiry_text(invite, organisation),
                instructions=instructions(invite),
                note=card_note(invite),
                personal=invite.max_uses == 1,
            )
        )
    return cards


def kit_copies(invite: Invite, copies: int) -> list[tuple[Invite, None]]:
    """The same shared link `copies` times, for a kit of identical cards; a personal link prints once."""
    return [(invite, None)] * (1 if invite.max_uses == 1 else copies)


def _pages(cards: list[Card]) -> list[list[Card]]:
    return [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]


def _kit_draw(pages: list[list[Card]], organisation: Organisation, group: Group | None) -> bytes:
    if not pages:
        raise RuleViolation(_("Нет приглашений для печати."), code="kit_empty")
    printed_at = timezone.localtime(timezone.now(), ZoneInfo(organisation.time_zone))
    return draw_kit(
        pages,
        organisation_name=organisation.short_name,
        title=f"Приглашения — {organisation.short_name}{f', {group.name}' if group else ''}",
        header=f"{organisation.short_name}{f' · {group.name}' if group else ''} · приглашения в портал",
        printed=f"Напечатано {printed_at:%d.%m.%Y}",
    )


def kit_pdf(items: Iterable, organisation: Organisation, group: Group | None = None) -> bytes:
    """An A4 PDF with up to six cut-out cards per page: name, class, QR code, short link, expiry, instructions.

    Raises PdfUnavailable (HTTP 503, a Russian message) when the server lacks the PDF library or fonts.
    """
    return _kit_draw(_pages(kit_cards(items, organisation, group)), organisation, group)


def kit_pdf_by_group(sections: Iterable[tuple[Group | None, list]], organisation: Organisation) -> bytes:
    """Many classes' kits in one file, each class from a new page, so that each curator's pages come apart whole.

    `sections` are (class, items) pairs in print order; a class without items is left out.
    """
    pages = []
    for group, items in sections:
        pages += _pages(kit_cards(items, organisation, group))
    return _kit_draw(pages, organisation, None)


def kit_section_pdf(group: Group | None, items: Iterable, organisation: Organisation) -> bytes:
    """One class's part of `kit_pdf_by_group`, alone: the same pages, so that the classes' parts, printed apart
    (by a background job, a class at a time) and put together in order, make the same file."""
    return kit_pdf_by_group([(group, items)], organisation)


def kit_filename(organisation: Organisation, group: Group | None = None) -> str:
    """An ASCII-safe file name for Content-Disposition (the class name may be Cyrillic)."""
    suffix = f"-{group.pk}" if group is not None else ""
    return f"invites-{organisation.pk}{suffix}.pdf"
