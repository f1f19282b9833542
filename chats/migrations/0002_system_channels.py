"""System channels for the organisations registered before chats existed, with their members.

The titles and rules are frozen here as they were when this migration was written (the vocabulary and the
sync may change later; a migration must not). Class and subject chats come from `manage.py resync_chats`.
"""

from django.db import migrations
from django.utils import timezone

TITLES = {  # kind of organisation -> (general channel, staff channel), in Russian
    "school": ("Общешкольный канал", "Учительская"),
    "college": ("Общий канал", "Сотрудники"),
    "additional": ("Общий канал", "Сотрудники"),
    "kindergarten": ("Общий канал", "Сотрудники"),
}


def create_system_channels(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    Membership = apps.get_model("orgs", "Membership")
    Chat = apps.get_model("chats", "Chat")
    ChatMember = apps.get_model("chats", "ChatMember")
    now = timezone.now()
    for organisation in Organisation.objects.all().iterator():
        roles, leaders, staff = {}, set(), set()
        active = Membership.objects.filter(organisation=organisation, valid_to__isnull=True)
        for user_id, role, position, verification in active.values_list("user_id", "role", "position", "verification"):
            roles.setdefault(user_id, set()).add(role)
            if role == "admin" or (role == "teacher" and position == "director"):
                leaders.add(user_id)
            if role == "admin" or (role == "teacher" and verification != "rejected"):
                staff.add(user_id)
        general_title, staff_title = TITLES.get(organisation.kind, TITLES["college"])
        for kind, title, user_ids in (
            ("general_channel", general_title, set(roles)),
            ("staff_channel", staff_title, staff),
        ):
            chat, created = Chat.objects.get_or_create(organisation=organisation, kind=kind, defaults={"title": title})
            present = set(ChatMember.objects.filter(chat=chat, left_at__isnull=True).values_list("user_id", flat=True))
            ChatMember.objects.bulk_create(
                ChatMember(
                    chat=chat,
                    user_id=user_id,
                    role="owner" if user_id in leaders else "member",
                    joined_at=now,
                    managed_by_structure=True,
                )
                for user_id in sorted(user_ids - present)
            )


class Migration(migrations.Migration):
    dependencies = [("chats", "0001_initial")]

    operations = [migrations.RunPython(create_system_channels, migrations.RunPython.noop)]
