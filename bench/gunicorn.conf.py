"""Gunicorn settings for the benchmark: two synchronous workers, as on a small
2-core production server. The bind address comes from the command line
(bench/run.py uses 127.0.0.1:8018)."""

workers = 2
worker_class = "sync"
timeout = 60
graceful_timeout = 10
# Workers are recycled as in production (Dockerfile, docker-compose.yml): each is
# replaced after about 1,000 requests, the jitter staggering them, so that memory
# stays under 300 MB. The memory the benchmark reports is what production runs with.
max_requests = 1000
max_requests_jitter = 100
accesslog = None
errorlog = "-"
loglevel = "warning"
