"""gunicorn settings, read from the environment (scripts/run.sh and docker-compose.yml use them)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# One worker per core (at least 2) with eight threads each. Measured on the 2-core default machine with 40
# keep-alive clients, a parents' meeting's worth of phones (bench/README.md, "The serving shape"): under 4 × 2 a
# client's connection stays with the process that accepted it, so some processes queue many clients on two threads
# while others idle, and the p95 of whatever is measured, the trivial list's included, came out far above its
# median (`bench/shapes.py`: 30 ms p50, 710 ms p95); 2 × 2 serves the trivial list fastest but left the paths that
# wait on the database below half of its throughput; under 2 × 8 every path of `bench/messages.py` and
# `bench/redeem.py` kept its p95 within 2× the trivial list's in each of five runs (at most 1.9×), for ~10 % less
# throughput on the trivial list than 2 × 2. Eight threads also keep a slow request (an export, a long upload) from
# holding a quarter of the server.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
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
