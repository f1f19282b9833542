"""Settings of the portal, read from the environment (see .env.example).

The defaults are the embedded set-up: SQLite, a Celery broker on the file
system, e-mail and one-time codes printed to the console. Production sets
DATABASE_URL, CELERY_BROKER_URL, CACHE_URL, EMAIL_URL and DJANGO_SECURE.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env("PORTAL_DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-embedded-default-key-set-DJANGO_SECRET_KEY-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "guardian",
    "django_celery_beat",
    "portal.accounts",
    "portal.mail",
    "portal.ratelimit",
    "orgs",
    "policies",
    "invites",
    "chats",
    "stats",
    "safety",
    "roster",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.request_context.ClientIpMiddleware",
    "portal.accounts.middleware.SessionTrackingMiddleware",
    "stats.middleware.SeenTodayMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "policies.middleware.PolicyGateMiddleware",
    "portal.outage.OutageMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "orgs.context_processors.organisation",
                "invites.context_processors.invites_nav",
                "safety.context_processors.safety_nav",
                "policies.context_processors.policy_gate",
            ],
            # Shared tags live in `portal`, which is a package and not an app.
            "libraries": {"portal_tags": "portal.templatetags.portal_tags"},
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes (web, worker) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Connections are kept for a while and checked before reuse, so a restarted server is reconnected to on the
    # next request; a server that does not answer fails the request in seconds (a 503) instead of hanging it.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A file cache by default, so that rate limits hold across the web workers and the Celery worker.
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{DATA_DIR / 'cache'}")}
# Redis may go away (cache, broker, results): a request waits at most this long for it, then goes on without it.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": REDIS_SOCKET_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT}
    )

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "portal.accounts.backends.PhoneOrEmailBackend",
    "orgs.backends.OrgRightsBackend",  # guardian's, with the rights on organisations and groups read once a request
]
# guardian looks for its own backend's dotted path; orgs.backends.OrgRightsBackend is that backend, subclassed.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
GUARDIAN_RAISE_403 = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "orgs:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(DATA_DIR / "media")))
STORAGES = {
    # Removes the part of a file written before a disk-full or write error, and reports it in Russian.
    "default": {"BACKEND": "portal.storage.PortalFileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Counts the request body except the files of a multipart upload (those stream to temporary files above
# FILE_UPLOAD_MAX_MEMORY_SIZE), so a 50 MiB video under CHAT_ATTACHMENT_MAX_BYTES is not refused here.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Security: DJANGO_SECURE=1 behind HTTPS in production --------------------------
SECURE = env.bool("DJANGO_SECURE", default=False)
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# No script of the portal reads the CSRF cookie: forms carry the token, the API docs page gets it in its script.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles come only from the portal's own static files: no inline code, no other host.
# Images may be data: URIs (QR codes of invite links). django-csp sets the header on every response.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- E-mail ----------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":  # noqa: F821 (set by the line above)
    # The same console, with letters a person can read: decoded subject and body, not MIME in base64.
    EMAIL_BACKEND = "portal.mail.console.ReadableConsoleBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- PDF -------------------------------------------------------------------------
# Where the invite kits' canvas finds the DejaVu font files (WeasyPrint finds the same fonts through fontconfig):
# Debian and Ubuntu (fonts-dejavu-core), then Fedora, Arch and Alpine.
PDF_FONT_DIRS = env.list(
    "PDF_FONT_DIRS",
    default=[
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/dejavu-sans-fonts",
        "/usr/share/fonts/dejavu-sans-mono-fonts",
        "/usr/share/fonts/TTF",
        "/usr/share/fonts/dejavu",
    ],
)

# --- One-time codes --------------------------------------------------------------
OTP_SMS_SENDER = env("OTP_SMS_SENDER", default="portal.accounts.senders.ConsoleSmsSender")
OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=300)
OTP_MAX_PER_HOUR = env.int("OTP_MAX_PER_HOUR", default=5)
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=10)
# A session's or token's «last seen» is written at most this often, not on every request.
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=300)

# --- Invite links -------------------------------------------------------------------
# Keys the look-up hash and the cipher of invite tokens; without it a database dump reveals no link.
INVITE_SECRET_KEY = env("INVITE_SECRET_KEY", default=SECRET_KEY)
INVITE_LOOKUP_FAILURES_PER_HOUR = env.int("INVITE_LOOKUP_FAILURES_PER_HOUR", default=30)
# Join requests waiting longer than this are flagged in the queue and the daily digest.
JOIN_REQUEST_STALE_DAYS = env.int("JOIN_REQUEST_STALE_DAYS", default=3)
# A pause between the letters of an invite mailing, for mail providers that limit how fast one may send.
INVITE_MAILING_PAUSE_SECONDS = env.float("INVITE_MAILING_PAUSE_SECONDS", default=0)

# --- Uploads -----------------------------------------------------------------------
REGISTRATION_ORDER_MAX_BYTES = env.int("REGISTRATION_ORDER_MAX_BYTES", default=10 * 1024 * 1024)
# Files of chat messages: the largest size per kind, in bytes, and how many files one message carries.
CHAT_ATTACHMENT_MAX_BYTES = {
    "photo": env.int("CHAT_PHOTO_MAX_BYTES", default=10 * 1024 * 1024),
    "audio": env.int("CHAT_AUDIO_MAX_BYTES", default=20 * 1024 * 1024),
    "video": env.int("CHAT_VIDEO_MAX_BYTES", default=50 * 1024 * 1024),
    "document": env.int("CHAT_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024),
}
CHAT_ATTACHMENTS_PER_MESSAGE = env.int("CHAT_ATTACHMENTS_PER_MESSAGE", default=5)
# Photos with more pixels are refused before they are decoded (a small file can unpack to gigabytes).
CHAT_IMAGE_MAX_PIXELS = env.int("CHAT_IMAGE_MAX_PIXELS", default=50_000_000)

# --- Request limits of the API (portal/api/parsers.py, portal/api/filters.py) ---------------
# JSON and form bodies, in bytes (413 above it); uploads are bounded by the file limits above.
API_BODY_MAX_BYTES = env.int("API_BODY_MAX_BYTES", default=1024 * 1024)
# Characters of a search or a text filter in a query string (400 above it).
API_SEARCH_MAX_LENGTH = env.int("API_SEARCH_MAX_LENGTH", default=100)

# --- REST framework ----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.accounts.authentication.TrackedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "policies.api.gate.TermsAccepted",  # 403 «terms_not_accepted» until the user agreement is accepted
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "portal.api.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "portal.api.parsers.FormParser",
        "portal.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.filters.FilterBackend",
        "portal.api.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "otp": "20/hour",
        "login": "30/hour",
        "registration": "20/hour",
        "account": "120/hour",
        "access-report": "10/hour",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Портал образовательной организации — REST API",
    "DESCRIPTION": "Организации, структура, участники, заявки на регистрацию. "
    'Все ошибки имеют вид {"error": {"code", "message", "fields"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the portal's static files (drf-spectacular-sidecar), not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "orgs.models.OrganisationKind",
        "GroupKindEnum": "orgs.models.Group.Kind",
        "AttachmentKindEnum": "chats.models.Attachment.Kind",
        "PolicyDocumentKindEnum": "policies.models.Document.Kind",
        "PolicyVersionStatusEnum": "policies.models.DocumentVersion.Status",
        "ApprovalMethodEnum": "policies.models.DocumentVersion.ApprovalMethod",
        "ResponsibleDutyEnum": "policies.models.ResponsiblePerson.Duty",
        "MembershipRoleEnum": "orgs.models.Membership.Role",
        "MovementKindEnum": "orgs.movement_models.Movement.Kind",
        "RosterKindEnum": "roster.models.RosterKind",
        "RosterImportStatusEnum": "roster.models.RosterImport.Status",
    },
}

# --- Celery ----------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.rstrip("/") == "filesystem:":
    # kombu warns of a missing host on every connection otherwise; the file transport does not use it.
    CELERY_BROKER_URL = "filesystem://localhost/"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = DATA_DIR / "celery" / "queue"
    _processed = DATA_DIR / "celery" / "processed"
    _queue.mkdir(parents=True, exist_ok=True)
    _processed.mkdir(parents=True, exist_ok=True)
    _control = DATA_DIR / "celery" / "control"
    _control.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "control_folder": str(_control),
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "store_processed": False,
    }
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        # Above the 1 s blocking read of the worker's BRPOP; a dead connection is noticed within it.
        "socket_timeout": REDIS_SOCKET_TIMEOUT + 2,
        "retry_on_timeout": True,
        "health_check_interval": 10,
        # A job of a worker killed mid-way (kill -9, OOM, power loss) goes back to the queue after this long.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
        # One connection attempt when a request queues a job (the worker's own reconnecting retries forever).
        "max_retries": 0,
    }
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_TIMEOUT
    CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT + 2
# A request that queues a job gives up on a dead broker after this long (the work waits in the database).
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
# The worker waits for the broker as long as it takes and reconnects by itself (no restart after an outage).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A job is acknowledged when it has finished, and one whose worker died goes back to the queue: every job is
# idempotent, so running it again after a crash finishes the work without doing any of it twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Nothing in the portal waits for a job's result. Storing none keeps web and beat off the result backend, whose
# client, after a Redis outage, gives up and asks for the process to be restarted.
CELERY_TASK_IGNORE_RESULT = True
# Work that the broker did not carry (queued while it was down, or lost with it) waits in the database;
# these sweeps send it on, so they run often.
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=60)
CELERY_IMPORTS = ["portal.mail.tasks"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# scripts/run.sh turns it off: the worker's log goes to a file, and letters printed on the console stay there.
CELERY_WORKER_REDIRECT_STDOUTS = env.bool("CELERY_WORKER_REDIRECT_STDOUTS", default=True)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Statistics indicators filled side by side by the advancing job on PostgreSQL, each on a connection of its own
# (stats/services/fill.py); 1 fills them one after the other.
STATS_FILL_LANES = env.int("STATS_FILL_LANES", default=2)
# Every periodic job of the portal is declared here, in one place.
CELERY_BEAT_SCHEDULE = {
    "purge-expired-one-time-codes": {
        "task": "portal.accounts.tasks.purge_expired_codes",
        "schedule": crontab(minute="*/15"),
    },
    "mark-expired-sessions": {
        "task": "portal.accounts.tasks.mark_expired_sessions",
        "schedule": crontab(minute=45),
    },
    "mark-expired-invites": {
        "task": "invites.tasks.mark_expired_invites",
        "schedule": crontab(minute="*/5"),
    },
    "join-request-digest": {
        "task": "invites.tasks.send_join_request_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    "send-event-reminders": {
        "task": "chats.tasks.send_event_reminders",
        "schedule": crontab(),  # every minute: reminders go out close to their time
    },
    "annul-unused-invites": {
        "task": "invites.tasks.annul_unused_invites",
        "schedule": crontab(hour=3, minute=30),
    },
    "resync-chats": {
        "task": "chats.tasks.resync_chats",
        "schedule": crontab(hour=4, minute=0),
    },
    "send-pending-emails": {
        "task": "portal.mail.tasks.send_pending_emails",
        "schedule": timedelta(seconds=OUTBOX_SWEEP_SECONDS),
    },
    "resume-invite-mailings": {
        "task": "invites.tasks.resume_invite_mailings",
        "schedule": timedelta(seconds=OUTBOX_SWEEP_SECONDS),
    },
    "send-acknowledgement-reminders": {
        "task": "policies.tasks.send_acknowledgement_reminders",
        "schedule": crontab(hour=9, minute=15),  # daily: those who have not read a document on its 3rd and 7th day
    },
    "bring-policy-versions-into-force": {
        "task": "policies.tasks.bring_versions_into_force",
        "schedule": crontab(minute=5),  # hourly: a version approved for a later date enters on its day
    },
    "advance-statistics": {
        "task": "stats.tasks.advance_statistics",
        "schedule": crontab(minute="*/10"),  # fills days that ended; cheap when nothing is new
    },
    "build-monthly-reports": {
        "task": "stats.tasks.build_monthly_reports",
        # Hourly in the first week of a month: an organisation's report is built once its own month has ended
        # (Kamchatka's 12 hours before Kaliningrad's) and the last day is filled; a later run skips those done
        # and picks up those whose statistics were late. A municipality's report waits for all its organisations, at
        # most until the 7th (stats.services.report_jobs.LAST_RUN_DAY).
        "schedule": crontab(minute=25, day_of_month="1-7"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Libraries speak only of what needs attention: WeasyPrint and fontTools log every font subset and CSS rule
    # of a PDF, kombu every connection.
    "loggers": {
        name: {"level": "WARNING"} for name in ("django.db.backends", "weasyprint", "fontTools", "kombu", "amqp")
    },
}
