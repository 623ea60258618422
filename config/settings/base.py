"""Settings shared by every environment.

Every value comes from the environment through one ``environ.Env``; each has a
safe development default (see ``.env.example``). Production tightens them in
``production.py``.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address in links sent by e-mail and chat (one for web and worker).
# `make run` sets it from PORT; production requires it.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "config.staticfiles.ConcordStaticFilesConfig",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "core",
    "kpis",
    "risks",
    "budgets",
    "governance",
]

MIDDLEWARE = [
    # First: /livez and /healthz answer without sessions, sign-in or redirects.
    "core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.UploadSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.security.middleware.IdleTimeoutMiddleware",
    "core.security.middleware.MfaEnforcementMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    # Last, so that it sees the lockout flag set while the view ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.concord",
            ],
        },
    },
]

# SQLite file in the project folder unless DATABASE_URL points elsewhere.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiler spends seconds compiling the dashboard's larger
    # aggregates on big organizations to save milliseconds; short OLTP queries
    # are faster without it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    # The web process and the worker write to the same file under `make run`.
    # IMMEDIATE takes the write lock when a transaction starts, so a writer waits
    # for the other (up to the timeout) instead of failing with "database is
    # locked" when a read transaction tries to become a write one; WAL lets pages
    # read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# Axes first: it refuses sign-in attempts from locked-out accounts and addresses.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))


def evidence_storage_setting() -> dict:
    """Evidence files (risks/evidence/storage.py): a private folder by default,
    never served as media (downloads go through a permission-checked view);
    S3-compatible object storage with django-storages when
    EVIDENCE_STORAGE_BACKEND=storages.backends.s3.S3Storage (docs/OPERATIONS.md)."""
    backend = env("EVIDENCE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")
    if backend.endswith("FileSystemStorage"):
        # Under MEDIA_ROOT by default (its evidence/ folder): never served as a URL, on the
        # same volume and in the same backup as the rest of the media store.
        location = env("EVIDENCE_ROOT", default="") or MEDIA_ROOT
        return {"BACKEND": backend, "OPTIONS": {"location": location, "base_url": "/no-public-url/"}}
    options = {
        "bucket_name": env("EVIDENCE_S3_BUCKET", default=""),
        "endpoint_url": env("EVIDENCE_S3_ENDPOINT_URL", default="") or None,
        "region_name": env("EVIDENCE_S3_REGION", default="") or None,
        "access_key": env("EVIDENCE_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env("EVIDENCE_S3_SECRET_ACCESS_KEY", default="") or None,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    return {"BACKEND": backend, "OPTIONS": {k: v for k, v in options.items() if v is not None}}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "evidence": evidence_storage_setting(),
}
# Evidence files larger than this are refused with a clear message.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)

# Uploads (imports) stay small: bigger files are refused with a clear message.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
# An .xlsx is a zip: refused before parsing when it would unpack to more than this,
# or is packed more tightly than any real workbook (a "zip bomb").
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=30 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
# How long an import preview can be confirmed, in seconds (core/imports.py).
IMPORT_PREVIEW_MAX_AGE = env.int("IMPORT_PREVIEW_MAX_AGE", default=3600)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

# Sessions end after a period without activity (each request restarts the
# clock), and in any case after SESSION_MAX_SECONDS since sign-in.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=8 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_MAX_SECONDS = env.int("SESSION_MAX_SECONDS", default=24 * 60 * 60)
# The idle-timeout middleware refreshes the session (and so the cookie) at most
# once a minute; saving it on every request would cost a write per page.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Two-factor authentication (TOTP apps and one-time recovery codes).
# MFA_ENFORCED switches the per-role requirement on (always on outside tests).
MFA_ENFORCED = env.bool("MFA_ENFORCED", default=True)
MFA_DEFAULT_REQUIRED_ROLES = ["cio", "ciso", "admin"]
# "Remember this device": opt-in at each verification, for this many days (0 = never offered).
MFA_REMEMBER_DAYS = env.int("MFA_REMEMBER_DAYS", default=30)
MFA_RECOVERY_CODES = 10
# Step-up ("sudo mode"): signing a joint decision or changing security settings
# needs a second-factor check within this many seconds (on outside tests).
STEP_UP_ENFORCED = env.bool("STEP_UP_ENFORCED", default=True)
STEP_UP_MAX_AGE = env.int("STEP_UP_MAX_AGE", default=2 * 60 * 60)
# Personal API tokens expire: the default lifetime and the longest one a person may choose.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Concord")

# Sign-in protection (django-axes): after AXES_FAILURE_LIMIT failures for one
# account from one client address, that pair is refused for LOCKOUT_MINUTES (an
# admin can unlock sooner). Bad API tokens count per address; valid tokens are
# never refused because of them (core/security/lockout.py).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "core.security.lockout.normalized_username"
AXES_VERBOSE = False
# Behind reverse proxies, set TRUSTED_PROXY_COUNT so the client address is read
# from X-Forwarded-For (the entry added by the outermost trusted proxy).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.security.lockout.client_ip"

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# For django.core.mail.backends.filebased.EmailBackend: the folder e-mails are written to.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Concord <concord@localhost>")

# Redis when REDIS_URL is set: cache and Celery broker. Otherwise an in-process
# cache and a broker kept in files under var/celery (no server needed).
REDIS_URL = env("REDIS_URL", default="")
VAR_DIR = Path(env("VAR_DIR", default="") or BASE_DIR / "var")
# Problems with var/ (e.g. not writable) are reported by a system check and in
# the log at start (core.checks), and by /healthz — never as a crash here.
VAR_DIR_PROBLEMS: list[str] = []
# The longest task (an alignment report build) is stopped after this many
# seconds; the broker hands an unacknowledged task to another worker only
# after the visibility timeout, so that one is longer.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 60, 30)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 30 * 60)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        try:
            (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
        except OSError as _exc:
            VAR_DIR_PROBLEMS.append(f"{_broker_dir / _folder}: {_exc.strerror or _exc}")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A worker process killed mid-task (OOM, SIGKILL) puts its task back on the queue.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Each app adds its periodic tasks to this schedule in its own tasks module's
# ``BEAT_SCHEDULE``; config/celery.py merges them.
CELERY_BEAT_SCHEDULE: dict = {}
# Beat records each tick (the scheduler's heartbeat shown by /healthz).
CELERY_BEAT_SCHEDULER = "core.heartbeat:TickRecordingScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60

# Durable background work (core.outbox): jobs not picked up by a worker are
# handed to the broker again every OUTBOX_DISPATCH_INTERVAL_SECONDS; a job
# handed over but still not started after OUTBOX_REDISPATCH_AFTER_SECONDS is
# sent again (the broker lost it). Finished jobs are kept a few days.
OUTBOX_DISPATCH_INTERVAL_SECONDS = env.int("OUTBOX_DISPATCH_INTERVAL_SECONDS", default=30)
OUTBOX_REDISPATCH_AFTER_SECONDS = env.int("OUTBOX_REDISPATCH_AFTER_SECONDS", default=10 * 60)
OUTBOX_KEEP_DONE_DAYS = env.int("OUTBOX_KEEP_DONE_DAYS", default=7)
# A job whose task fails is sent again, up to this many hand-offs; then it stays
# failed (shown by /healthz) until `manage.py outbox_retry` after the cause is fixed.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
# Notifications: a chat post is retried with backoff this many times, then its
# channel is disabled with a notice to the CIO and the CISO.
NOTIFY_CHAT_MAX_RETRIES = env.int("NOTIFY_CHAT_MAX_RETRIES", default=5)
# Worker and scheduler heartbeats (/healthz): written every interval, stale after.
HEARTBEAT_INTERVAL_SECONDS = env.int("HEARTBEAT_INTERVAL_SECONDS", default=30)
HEARTBEAT_STALE_SECONDS = env.int("HEARTBEAT_STALE_SECONDS", default=180)
# A report build with no progress for this long is retried automatically.
REPORT_STALL_MINUTES = env.int("REPORT_STALL_MINUTES", default=15)
# Closed periods the schedule catches up at most (per organization) after downtime.
REPORT_CATCH_UP_PERIODS = env.int("REPORT_CATCH_UP_PERIODS", default=12)
# Exports (PDF, XLSX) of up to this many rows are made in the request; larger
# ones are prepared by the Celery worker and downloaded from a progress page
# (core/exports.py, docs/OPERATIONS.md "Heavy exports").
EXPORTS_SYNC_MAX_ROWS = env.int("EXPORTS_SYNC_MAX_ROWS", default=200)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.api.permissions.TokenScopePermission",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.TokenRateThrottle",
        "core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API rate limits (core/api/throttling.py): per API token and per signed-in
# person, as "<number>/<second|min|hour|day>". Over the limit: 429 with Retry-After.
API_THROTTLE_ENABLED = env.bool("API_THROTTLE_ENABLED", default=True)
API_RATE_LIMITS = {
    "token": env("API_RATE_TOKEN", default="120/min"),
    "user": env("API_RATE_USER", default="300/min"),
}
# Password-reset requests (core/security/password.py): per client address and per
# e-mail address typed, as "<number>/<period>". The answer is the same either way.
PASSWORD_RESET_RATE_ADDRESS = env("PASSWORD_RESET_RATE_ADDRESS", default="10/hour")
PASSWORD_RESET_RATE_EMAIL = env("PASSWORD_RESET_RATE_EMAIL", default="3/hour")
SPECTACULAR_SETTINGS = {
    "TITLE": "Concord API",
    "DESCRIPTION": (
        "Concord's REST API: the same rules as the web pages. Authenticate with a session "
        "(and CSRF token) or with a personal API token: `Authorization: Bearer <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "core.roles.Role",
        "ReportScheduleEnum": "core.models.ReportSchedule",
        "RiskStatusEnum": "risks.models.RiskStatus",
        "RiskCategoryEnum": "risks.models.RiskCategory",
        "MitigationStatusEnum": "risks.models.MitigationStatus",
        "DomainEnum": "core.choices.Domain",
        "ProposalStatusEnum": "budgets.models.ProposalStatus",
        "ImplementationLevelEnum": "risks.profile.models.ImplementationLevel",
        "ProfileOwnerLensEnum": "risks.profile.models.OwnerLens",
        "SoaOwnerLensEnum": "risks.soa.models.OwnerLens",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

SIMPLE_HISTORY_REVERT_DISABLED = True

# Where each role lands in an organization: the first page that exists wins.
CONCORD_ROLE_HOME = {
    "cio": ("governance:dashboard", "risks:register"),
    "ciso": ("governance:dashboard", "risks:register"),
    "board": ("governance:report_list", "budgets:proposal_list"),
    "contributor": ("governance:intake_list", "governance:raci"),
    "admin": ("core:members",),
}
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Who may create an organization: "anyone" signed in, or "staff" only.
CONCORD_ORG_CREATION = env.str("CONCORD_ORG_CREATION", default="anyone")
if CONCORD_ORG_CREATION not in ("anyone", "staff"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured('CONCORD_ORG_CREATION must be "anyone" or "staff".')
# Days between a confirmed deletion of an organization and its removal (it can be cancelled meanwhile).
CONCORD_ORG_DELETION_GRACE_DAYS = env.int("CONCORD_ORG_DELETION_GRACE_DAYS", default=14)

# Demo sign-in password printed by seed_demo.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="concord-demo-2026")
