"""«Заявка на регистрацию»: submit, approve, reject."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.phones import normalize_phone
from portal.exceptions import Conflict, PermissionDenied, RuleViolation
from portal.mail import email_letter_after_commit, site_url
from portal.quotes import inner_quotes

from ..models import PROFILE_FIELDS, Group, Membership, Organisation, RegistrationApplication
from ..uploads import validate_order_file
from ..vocabulary import staff_group_name
from .audit import audit_record


def application_submit(*, data: dict, order_file) -> RegistrationApplication:
    """Store a new application with its appointing order; the operator is told by e-mail."""
    validate_order_file(order_file)
    phone = normalize_phone(data["admin_phone"])
    application = RegistrationApplication(
        **{f: data.get(f, "") for f in PROFILE_FIELDS if data.get(f) is not None},
        admin_last_name=data["admin_last_name"].strip(),
        admin_first_name=data["admin_first_name"].strip(),
        admin_patronymic=(data.get("admin_patronymic") or "").strip(),
        admin_email=data["admin_email"].strip().lower(),
        admin_phone=phone,
        order_file=order_file,
    )
    application.full_clean(exclude=["order_file"])
    # The order file is written while the row is saved: a failed write (full disk) rolls the row back with it.
    with transaction.atomic():
        application.save()
    operators = list(
        User.objects.filter(is_superuser=True, is_active=True, email__isnull=False).values_list("email", flat=True)
    )
    letter = {
        "short_name": application.short_name,
        "full_name": inner_quotes(application.full_name),
        "link": site_url("admin:orgs_registrationapplication_change", application.pk),
    }
    email_letter_after_commit("registration_new", letter, recipients=operators)
    return application


def _require_operator(actor):
    if not (actor and actor.is_authenticated and actor.is_superuser):
        raise PermissionDenied(_("Рассматривать заявки может только оператор платформы."))


def application_approve(*, application: RegistrationApplication, actor) -> Organisation:
    """Create the organisation, its staff group and its administrator in one transaction."""
    from .membership import membership_add

    _require_operator(actor)
    with transaction.atomic():
        application = RegistrationApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != RegistrationApplication.Status.PENDING:
            raise Conflict(_("Заявка уже рассмотрена."), code="application_decided")
        organisation = Organisation.objects.create(**{f: getattr(application, f) for f in PROFILE_FIELDS})
        Group.objects.create(organisation=organisation, kind=Group.Kind.STAFF, name=staff_group_name(organisation.kind))
        user = User.objects.filter(phone=application.admin_phone).first()
        if user is None:
            email = application.admin_email
            if User.objects.filter(email__iexact=email).exists():
                email = None  # the address belongs to another account; the phone is the login
            user = User.objects.create_user(
                phone=application.admin_phone,
                email=email,
                last_name=application.admin_last_name,
                first_name=application.admin_first_name,
                patronymic=application.admin_patronymic,
            )
        membership_add(organisation=organisation, user=user, role=Membership.Role.ADMIN, actor=None)
        application.status = RegistrationApplication.Status.APPROVED
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.organisation = organisation
        application.save()
        audit_record(organisation=organisation, actor=actor, action="registration.approved", obj=application)
        from ..signals import organisation_created

        organisation_created.send(sender=Organisation, organisation=organisation)
        letter = {
            "organisation_name": inner_quotes(organisation.short_name),
            "phone": application.admin_phone,
            "link": site_url("accounts:login_code"),
        }
        email_letter_after_commit("registration_approved", letter, recipients=[application.admin_email])
    return organisation


def application_reject(*, application: RegistrationApplication, actor, reason: str) -> RegistrationApplication:
    """Reject with a reason; the applicant is told by e-mail."""
    _require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(
            _("Укажите причину отказа."), code="reason_required", fields={"reason": [_("Обязательное поле.")]}
        )
    with transaction.atomic():
        application = RegistrationApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != RegistrationApplication.Status.PENDING:
            raise Conflict(_("Заявка уже рассмотрена."), code="application_decided")
        application.status = RegistrationApplication.Status.REJECTED
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.rejection_reason = reason
        application.save()
        audit_record(
            organisation=None, actor=actor, action="registration.rejected", obj=application, details={"reason": reason}
        )
        letter = {"organisation_name": inner_quotes(application.short_name), "reason": reason}
        email_letter_after_commit("registration_rejected", letter, recipients=[application.admin_email])
    return application
