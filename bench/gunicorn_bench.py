"""gunicorn settings of the benchmark: like production's gunicorn.conf.py, without the access log and recycling."""

import os
import sys
from pathlib import Path

# Workers, threads and the address come from the command line of bench/redeem.py.
worker_class = "gthread"
timeout = 60
graceful_timeout = 10
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = "warning"
max_requests = 0  # no worker restarts in the middle of a measurement
control_socket_disable = True


def post_worker_init(worker):
    """With PORTAL_BENCH_FLOOR=1, serve bench/bench_urls.py (the portal's URLs plus /bench/floor/ and
    /bench/floor-api/) instead of the portal's URLconf: the floors exist only in the benchmark's own server."""
    if os.environ.get("PORTAL_BENCH_FLOOR") == "1":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from django.conf import settings

        settings.ROOT_URLCONF = "bench_urls"
