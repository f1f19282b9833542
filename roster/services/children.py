"""A young pupil of the roster with no phone or e-mail of their own joins through their parent.

The parent joins by the personal parent's link the import made; their joining creates the child's account from
the roster entry (the imported name, the entry's class, the child's own personal link used for it, so the entry
becomes the child's and nobody else can take it). The child signs in with a single-use link the parent makes on
their home page and opens on the child's device, or shows as a QR code — as the regulations for younger pupils
ask: the account is created by the parent and linked to them as the child.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invites.hooks import PendingChild
from invites.models import Invite, InviteRole
from invites.services.redeem import invite_redeem, invite_state
from invites.tokens import decrypt, new_token
from orgs.models import Membership, Organisation, ParentLink, Placement
from orgs.permissions import is_member
from portal.accounts.models import User
from portal.accounts.phones import normalize_phone
from portal.exceptions import Gone, NotFound, RuleViolation

from ..models import ChildSignIn, RosterEntry, RosterKind

SIGN_IN_DAYS = 7


def _waiting_entry(invite: Invite) -> RosterEntry | None:
    if invite.role != InviteRole.PARENT or invite.bound_student_id or not invite.target_group_id:
        return None
    return (
        RosterEntry.objects.filter(parent_invite=invite, kind=RosterKind.STUDENTS, user__isnull=True)
        .select_related("invite", "group")
        .first()
    )


def pending_child_of(invite: Invite) -> PendingChild | None:
    """The hook the invites app asks: the roster's pupil this parent's link is for, when they have no account."""
    entry = _waiting_entry(invite)
    if entry is None:
        return None
    return PendingChild(
        name=f"{entry.last_name} {entry.first_name[:1]}.".strip(),
        make=lambda parent: child_account_create(entry=entry, parent=parent),
    )


def _free_contacts(entry: RosterEntry) -> dict:
    """The child's own phone and e-mail from the roster, when given and nobody's yet (often a parent's number is
    written in the child's column: then the child signs in by the parent's links only)."""
    contacts = {}
    phone = normalize_phone(entry.phone) if entry.phone else None
    if phone and not User.objects.filter(phone=phone).exists():
        contacts["phone"] = phone
    email = entry.email.strip().lower() if entry.email else None
    if email and not User.objects.filter(email__iexact=email).exists():
        contacts["email"] = email
    return contacts


def child_account_create(*, entry: RosterEntry, parent) -> User:
    """Inside the parent's redemption: the child's account, joined by the child's own personal link (so the
    entry, the class and the parent's link are bound exactly as if the child had joined first)."""
    invite = entry.invite
    token = decrypt(invite.token_encrypted) if invite is not None and invite.token_encrypted else None
    if token is None or invite_state(invite) != Invite.Status.ACTIVE:
        raise RuleViolation(
            _(
                "Личная ссылка ребёнка больше не действует, поэтому создать его учётную запись нельзя. "
                "Попросите классного руководителя или администратора выдать новую ссылку."
            ),
            code="child_link_unusable",
        )
    child = User.objects.create_user(
        last_name=entry.last_name,
        first_name=entry.first_name,
        patronymic=entry.patronymic,
        managed_by_parent=True,
        **_free_contacts(entry),
    )
    outcome = invite_redeem(token=token, user=child)
    if outcome.kind != "joined":  # a personal link made by the import admits at once; anything else is a bug
        raise RuleViolation(_("Не удалось зачислить ребёнка по его ссылке."), code="child_not_joined")
    return child


def _hash(token: str) -> str:
    key = hashlib.sha256(f"child-sign-in:{settings.INVITE_SECRET_KEY}".encode()).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def parent_child_get(*, organisation: Organisation, parent, child_id) -> User:
    """A child of this parent in this organisation whose account the parent manages; 404 for anything else."""
    link = (
        ParentLink.objects.filter(
            organisation=organisation,
            parent=parent,
            child_id=child_id,
            valid_to__isnull=True,
            child__managed_by_parent=True,
            child__is_active=True,
        )
        .select_related("child")
        .first()
    )
    if link is None:
        raise NotFound(_("Ребёнок не найден."), code="child_not_found")
    return link.child


def child_class(organisation: Organisation, child) -> str:
    placement = (
        Placement.objects.filter(organisation=organisation, student=child, valid_to__isnull=True)
        .select_related("group")
        .first()
    )
    return placement.group.name if placement else ""


def child_sign_in_issue(*, organisation: Organisation, parent, child_id) -> tuple[ChildSignIn, str]:
    """A new single-use sign-in link for the parent's child (the parent's earlier unused ones stop working)."""
    child = parent_child_get(organisation=organisation, parent=parent, child_id=child_id)
    if not is_member(child, organisation, Membership.Role.STUDENT):
        raise RuleViolation(_("Ребёнок больше не учится в этой организации."), code="child_not_student")
    token = new_token()
    now = timezone.now()
    with transaction.atomic():
        ChildSignIn.objects.filter(child=child, parent=parent, used_at__isnull=True).delete()
        sign_in = ChildSignIn.objects.create(
            organisation=organisation,
            child=child,
            parent=parent,
            token_hash=_hash(token),
            expires_at=now + timedelta(days=SIGN_IN_DAYS),
        )
    return sign_in, token


def child_sign_in_find(token: str) -> ChildSignIn:
    """The sign-in link, if it still works (a look that uses nothing)."""
    sign_in = ChildSignIn.objects.filter(token_hash=_hash(token or "")).select_related("child", "organisation").first()
    if sign_in is None:
        raise NotFound(
            _("Ссылка для входа не найдена. Проверьте, что она скопирована целиком."), code="sign_in_not_found"
        )
    if sign_in.used_at is not None or sign_in.expires_at <= timezone.now() or not sign_in.child.is_active:
        raise Gone(
            _("Эта ссылка для входа уже использована или устарела. Попросите родителя сделать новую."),
            code="sign_in_used",
        )
    return sign_in


def child_sign_in_use(*, token: str) -> User:
    """Use the link: exactly once, even when it is opened twice at the same moment. Returns the child."""
    sign_in = child_sign_in_find(token)
    used = ChildSignIn.objects.filter(pk=sign_in.pk, used_at__isnull=True, expires_at__gt=timezone.now()).update(
        used_at=timezone.now()
    )
    if not used:
        raise Gone(
            _("Эта ссылка для входа уже использована или устарела. Попросите родителя сделать новую."),
            code="sign_in_used",
        )
    return sign_in.child
