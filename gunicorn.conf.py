"""gunicorn settings, read from the environment (scripts/run.sh and docker-compose.yml use them)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
max_requests = 1000
max_requests_jitter = 100
# The access log: "-" is the console (the production stack's default), a path a file, an empty value none.
# scripts/run.sh writes it to var/log/access.log, so that the console keeps the codes and letters in view.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Behind the reverse proxy of the production stack, X-Forwarded-* come from it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No runtime control socket: it would live in $HOME, shared by every gunicorn of the user.
control_socket_disable = True
