"""Gunicorn settings for the benchmark: two synchronous workers, as on a small
2-core production server. The bind address comes from the command line
(bench/run.py uses 127.0.0.1:8018)."""
workers = 2
worker_class = "sync"
timeout = 60
graceful_timeout = 10
# No max_requests: the benchmark reports the workers' memory after the run,
# which recycling would hide.
max_requests = 0
accesslog = None
errorlog = "-"
loglevel = "warning"
