"""Words of the audit log for invites and join requests, registered with orgs.audit_labels
in the app config's ready()."""

from django.utils.translation import gettext_lazy as _

from orgs import audit_labels

ACTIONS = {
    "invite.created": _("Создана ссылка-приглашение"),
    "invite.relayed": _("Ссылка-приглашение передана дальше"),
    "invite.regenerated": _("Ссылка-приглашение обновлена (старая больше не действует)"),
    "invite.revoked": _("Ссылка-приглашение отозвана"),
    "invite.revoked_all": _("Отозваны все действующие ссылки-приглашения"),
    "invite.paused": _("Ссылка-приглашение приостановлена"),
    "invite.resumed": _("Ссылка-приглашение снова действует"),
    "invite.expired": _("Срок ссылки-приглашения истёк"),
    "invite.annulled": _("Невостребованная ссылка-приглашение аннулирована"),
    "invite.redeemed": _("Переход по ссылке-приглашению"),
    "invite.mailing_started": _("Начата рассылка приглашений по электронной почте"),
    "invite.revoked_on_leaving": _("Ссылки-приглашения отозваны: их автор покинул организацию"),
    "invite.created_in_bulk": _("Созданы личные ссылки-приглашения по списку"),
    "join_request.approved": _("Заявка на вступление одобрена"),
    "join_request.rejected": _("Заявка на вступление отклонена"),
    "join_request.handed_over": _(
        "Заявки на вступление переданы администраторам: рассматривавший их покинул организацию"
    ),
    "join_request.withdrawn": _("Заявка на вступление отозвана заявителем"),
    "settings.changed": _("Изменены настройки организации"),
}

GROUPS = {
    "invites": (_("Приглашения"), ("invite",)),
    "join_requests": (_("Заявки на вступление"), ("join_request",)),
    "settings": (_("Настройки организации"), ("settings",)),
}

DETAILS = {
    "total": _("Всего писем"),
    "max_uses": _("Число переходов"),
    "days": _("Дней без использования"),
    "outcome": _("Итог"),
    "automatic": _("Автоматически"),
    "creator": _("Автор ссылок (№ пользователя)"),
    "join_request": _("Заявка №"),
    "by_link": _("По ссылке для администратора"),
}

FIELDS = {
    "teacher_days": _("срок ссылки для педагогов, дней"),
    "student_days": _("срок ссылки для обучающихся, дней"),
    "parent_days": _("срок ссылки для родителей, дней"),
    "max_days": _("наибольший срок ссылки, дней"),
    "unused_days": _("аннулировать невостребованные ссылки через, дней"),
    "leak_margin": _("запас переходов сверх состава класса"),
    "leak_spike_uses": _("переходов во всплеске"),
    "leak_spike_minutes": _("окно всплеска, минут"),
    "admin_hours": _("срок ссылки для администратора, часов"),
}


OUTCOME_LABELS = {"joined": _("вступление"), "requested": _("отправлена заявка"), "already": _("уже состоит")}


def _max_uses(action, value):
    return _("без ограничения") if value is None else None


def _outcome(action, value):
    return OUTCOME_LABELS.get(value, value)


def _relayed_from(action, value):
    if action == "invite.relayed" and value is not None:
        return _("ссылка № %(number)s") % {"number": value}
    return None


def _group_words(vocabulary) -> dict:
    return {"leak_margin": _("запас переходов сверх состава группы")}


def register() -> None:
    audit_labels.register(
        actions=ACTIONS,
        groups=GROUPS,
        details=DETAILS,
        fields=FIELDS,
        action_details={("invite.relayed", "from"): _("Исходная ссылка")},
        values={"max_uses": _max_uses, "outcome": _outcome, "from": _relayed_from},
        group_words=_group_words,
    )
