from django.conf import settings
from django.db import migrations, models
from django.db.models import Max, Min

from chats.repeats import repeats_recount


def mark_repeats(apps, schema_editor):
    """The messages already written get their mark as a new message would: per organisation, one UPDATE over
    its whole history."""
    Message = apps.get_model("chats", "Message")
    spans = (
        Message.objects.values("chat__organisation_id")
        .annotate(since=Min("created_at"), until=Max("created_at"))
        .order_by()
    )
    for span in spans:
        repeats_recount(
            Message, organisation_id=span["chat__organisation_id"], since=span["since"], until=span["until"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("chats", "0010_poll_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="repeats",
            field=models.BooleanField(default=False, verbose_name="повтор за сутки"),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["author", "text_digest", "created_at"], name="message_author_text"),
        ),
        migrations.RunPython(mark_repeats, migrations.RunPython.noop),
    ]
