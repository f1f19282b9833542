"""gunicorn settings of the benchmark: like production's gunicorn.conf.py, without the access log and recycling."""

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
