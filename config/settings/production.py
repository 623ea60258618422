"""Production settings: refuse to start without a secret key; pass check --deploy."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
try:
    SECRET_KEY = env("SECRET_KEY")
except ImproperlyConfigured as exc:
    raise ImproperlyConfigured("SECRET_KEY must be set in production (see .env.example).") from exc
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be a long random value of at least 50 characters.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
try:
    SITE_URL = env("SITE_URL").rstrip("/")
except ImproperlyConfigured as exc:
    raise ImproperlyConfigured(
        "SITE_URL must be set in production: the public address used in e-mail and chat links, "
        "e.g. https://concord.example.org (see .env.example)."
    ) from exc
if not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SITE_URL must start with https:// (the public address of Concord).")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.staticfiles.ProductionStaticFilesStorage"},
    "evidence": evidence_storage_setting(),  # noqa: F405
}
