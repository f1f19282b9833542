from django.conf import settings
from django.db import migrations, models

from chats.repeats import repeats_recount_history


def mark_repeats(apps, schema_editor):
    """The messages already written get their mark as a new message would: per organisation, UPDATEs over its
    whole history that write only the repeats."""
    repeats_recount_history(apps.get_model("chats", "Message"))


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
