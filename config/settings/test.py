"""Settings for the test suite: same database choice as base (DATABASE_URL or SQLite)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Evidence files of tests stay in memory (tests/risks/test_evidence_storage.py also swaps it).
    "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}

# A minimal business model for testing core plumbing (tables created without migrations).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405

# Tests sign people in with force_login (no second factor) and client.login
# (no request, which Axes requires). The security tests switch both back on
# with the ``settings`` fixture; see tests/security/.
MFA_ENFORCED = False
AXES_ENABLED = False
# Step-up and API rate limits likewise: tests/security/ switches them on.
STEP_UP_ENFORCED = False
API_THROTTLE_ENABLED = False
PASSWORD_RESET_RATE_ADDRESS = PASSWORD_RESET_RATE_EMAIL = None

# Each test process keeps its own in-memory cache: tests may clear it, and
# parallel processes (each with its own database, where the same ids recur)
# never see one another's cached figures. Redis as the cache is exercised by
# `make bench` and in production.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "concord-tests"}
}
