"""Settings of the processes a fault test starts (web actions, workers): the
test settings with real background work on the test's own Redis and
PostgreSQL, Redis as the cache (as in production), and e-mail written to files
the test can read."""

from config.settings.test import *  # noqa: F403
from config.settings.test import REDIS_URL, VAR_DIR, env

CELERY_TASK_ALWAYS_EAGER = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "fault-mail"))
