"""gunicorn settings, read from the environment (scripts/run.sh and docker-compose.yml use them)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# One worker per core with two threads each: on the 2-core default machine 2 × 2 served the trivial list at
# 354 requests/s (p95 246 ms) and the chat list at 166 (p95 394 ms), against 274 (498 ms) and 143 (758 ms) for
# 4 × 2, 302/138 for 2 × 4 and 307/159 for 3 × 2
# (`bench/shapes.py --requests 1200 --paths orgs,chats`, figures in bench/README.md).
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
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
