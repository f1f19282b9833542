"""WSGI entry point for gunicorn.

`/healthz` answers before Django's middleware (no host check, no HTTPS redirect), so that
a container health check on 127.0.0.1 works with production settings: 200 when the
database answers, 503 when it does not.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_application = get_wsgi_application()

HEALTH_PATH = "/healthz"


def _database_ok() -> bool:
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False
    finally:
        # Django closes its connection at the end of each request; this path bypasses that.
        connection.close()


def application(environ, start_response):
    if environ.get("PATH_INFO") != HEALTH_PATH:
        return django_application(environ, start_response)
    ok = _database_ok()
    body = b"ok\n" if ok else b"database unavailable\n"
    status = "200 OK" if ok else "503 Service Unavailable"
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
