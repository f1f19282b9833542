"""Seeds the fault tests' portal: an organisation with its administrator, who has an API token and a signed-in
session, and a periodic task due every second for Celery beat. Run as a script with the portal's environment;
prints what the test needs as JSON."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse
    from django_celery_beat.models import IntervalSchedule, PeriodicTask
    from rest_framework.authtoken.models import Token

    from tests.factories import OrganisationFactory, admin_of

    org = OrganisationFactory()
    admin = admin_of(org)
    session = SessionStore()
    session[SESSION_KEY] = str(admin.pk)
    session[BACKEND_SESSION_KEY] = "portal.accounts.backends.PhoneOrEmailBackend"
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.create()
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="faults-probe", task="portal.accounts.tasks.purge_expired_codes", interval=every_second
    )
    print(
        json.dumps(
            {
                "token": Token.objects.create(user=admin).key,
                "session": session.session_key,
                "page": reverse("orgs:org_home", args=[org.pk]),
                "api": "/api/v1/orgs/",
            }
        )
    )


if __name__ == "__main__":
    main()
