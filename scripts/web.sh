#!/usr/bin/env bash
# The production web process (docker-compose's `web`, or a server without Docker):
# applies migrations, collects static files, then runs gunicorn with gunicorn.conf.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python manage.py migrate --noinput
python manage.py collectstatic --noinput -v 0
exec gunicorn -c gunicorn.conf.py portal.wsgi:application
