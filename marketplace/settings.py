"""Kolabo settings, read from the environment (see .env.example).

With no environment at all this is the embedded default: SQLite, eager Celery,
console email and a local-memory cache, so `make run` works offline.
"""

import base64
import ipaddress
import os
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"


def _production_value(
    name: str, *, default: str = "", refused: tuple[str, ...] = (), public_url: bool = False
) -> str:
    """A variable production cannot run without: set, not a development default, and for URLs an
    address outside this machine. Anything else stops the start with a message naming it."""
    value = env.str(name, default="").strip() or default
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    if value in refused:
        raise ImproperlyConfigured(
            f"{name} is the local emulator's value; set the real one when DJANGO_ENV=production."
        )
    if public_url:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        try:
            local = ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
        except ValueError:
            local = host == "localhost" or host.endswith(".localhost")
        if parts.scheme not in ("http", "https") or not host:
            raise ImproperlyConfigured(f"{name} must be a URL such as https://example.org, not {value!r}.")
        if local:
            raise ImproperlyConfigured(f"{name} points at this machine ({value}); set the public URL.")
    return value


if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789"
    )
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Where emails and tasks link to (no request to build it from); `make run` sets it from HOST and PORT.
if PRODUCTION:
    SITE_URL = _production_value("SITE_URL", public_url=True)
else:
    SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The name emails greet with (allauth's "Hello from …") and sign with.
SITE_NAME = env.str("SITE_NAME", default="Kolabo")

INSTALLED_APPS = [
    "marketplace",
    "brands",
    "creators",
    "campaigns",
    "payments",
    "platforms",
    "tracking",
    "analytics",
    # django.contrib.admin, with a site that asks staff for MFA (marketplace/admin_site.py).
    "marketplace.admin_site.KolaboAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "django_celery_beat",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "marketplace.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

if PRODUCTION:
    # Serve collected static files from the app server; runserver and tests use the finders.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketplace.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL via DATABASE_URL.
# An empty DATABASE_URL counts as unset, so `DATABASE_URL= make test` means the default.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Persistent connections in production only: elsewhere short-lived threads (runserver, the
    # tests' live server) would leave connections open behind them.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, for the test database: the browser tests' live server answers from
    # other threads, which cannot share an in-memory SQLite connection. One file per process,
    # so two test runs in one checkout do not drop each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
    # Several writers at once (runserver's threads, the Stripe emulator's webhooks, eager tasks):
    # WAL lets readers go on while one writes; IMMEDIATE takes the write lock at BEGIN, so two
    # transactions never both read then fail to upgrade ("database is locked"), and the busy
    # timeout makes the second writer wait its turn instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=20.0),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="kolabo"),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "marketplace.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth: email login, mandatory verification, no account enumeration.
ACCOUNT_ADAPTER = "marketplace.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "marketplace.forms.SignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Client IPs for rate limits (marketplace/client_ip.py): REMOTE_ADDR unless the deployment says
# which proxies to trust. Behind N proxies of ours set TRUSTED_PROXY_COUNT=N (the Nth address from
# the right of X-Forwarded-For), or name a header the proxy overwrites (TRUSTED_CLIENT_IP_HEADER).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="")
# Salt of the visitor hash that deduplicates clicks on tracked links (empty: derived from SECRET_KEY).
TRACKING_VISITOR_SALT = env.str("TRACKING_VISITOR_SALT", default="")
# allauth's rate limits live in the cache (Redis when configured).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kolabo"

# Email
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kolabo <no-reply@kolabo.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Internationalisation
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")
USE_I18N = True
USE_TZ = True
CURRENCIES = [("IDR", "Rupiah (IDR)"), ("USD", "US dollar (USD)")]

# Static and media files (no CDN)
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Private files (drafts) live outside MEDIA_ROOT and have no URL: only permission-checked views
# hand them out (marketplace/private_files.py), by streaming them or, in production, through the
# web server: PRIVATE_MEDIA_SERVE = django | x-accel-redirect (nginx) | x-sendfile (Apache).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
PRIVATE_MEDIA_SERVE = env.str("PRIVATE_MEDIA_SERVE", default="django")
# The nginx location marked `internal` whose alias is PRIVATE_MEDIA_ROOT (x-accel-redirect only).
PRIVATE_MEDIA_INTERNAL_PREFIX = env.str("PRIVATE_MEDIA_INTERNAL_PREFIX", default="/private-media/")
if PRIVATE_MEDIA_SERVE not in ("django", "x-accel-redirect", "x-sendfile"):
    raise ImproperlyConfigured(
        f"PRIVATE_MEDIA_SERVE must be django, x-accel-redirect or x-sendfile, not {PRIVATE_MEDIA_SERVE!r}."
    )
_media, _private = Path(MEDIA_ROOT).resolve(), Path(PRIVATE_MEDIA_ROOT).resolve()
if _private == _media or _media in _private.parents:
    raise ImproperlyConfigured(
        "PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT: whatever serves /media/ would serve "
        "private files too."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "marketplace.private_files.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Platform refreshes go to their own queue, for thread-pool workers (docs/operations.md). Both
# queues are declared, so a worker started without -Q still consumes both.
CELERY_TASK_QUEUES = [Queue("celery"), Queue("platforms")]
CELERY_TASK_ROUTES = {
    "platforms.connection_refresh": {"queue": "platforms"},
    "platforms.connections_refresh": {"queue": "platforms"},
}
CELERY_TASK_TIME_LIMIT = 300
# Celery's Django fixup closes the database connection after every task unless this is set; a
# worker then reconnects per task. Set, workers keep theirs, and marketplace/celery.py applies
# Django's own rules (CONN_MAX_AGE, health checks) between tasks instead.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A broker that is down must fail a send within seconds (one retry, short socket timeouts): the
# request answers normally and a beat sweep queues the committed work later (marketplace/queueing.py).
BROKER_SEND_TIMEOUT = env.float("CELERY_BROKER_TIMEOUT", default=2.0)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_SEND_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Must outlast the longest task and countdown, or Redis redelivers a running task.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": BROKER_SEND_TIMEOUT,
    "socket_timeout": BROKER_SEND_TIMEOUT,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# Work queued on commit that has not started after this long is queued again by the beat sweeps.
QUEUE_SWEEP_GRACE_SECONDS = env.int("QUEUE_SWEEP_GRACE_SECONDS", default=120)
CELERY_RESULT_EXPIRES = 86400
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The database scheduler copies these into django-celery-beat's tables, where staff can tune them.
CELERY_BEAT_SCHEDULE = {
    "invitations-expire": {"task": "campaigns.invitations_expire", "schedule": 15 * 60},
    "invitations-remind-expiring": {"task": "campaigns.invitations_remind_expiring", "schedule": 60 * 60},
    "deliverables-auto-confirm": {"task": "campaigns.deliverables_auto_confirm", "schedule": 60 * 60},
    "collaborations-remind-content-due": {
        "task": "campaigns.collaborations_remind_content_due",
        "schedule": 60 * 60,
    },
    "payouts-reconcile-stale": {"task": "payments.payouts_reconcile_stale", "schedule": 5 * 60},
    "webhooks-deliveries-sweep": {"task": "webhooks.deliveries_sweep", "schedule": 60},
    # Committed work whose task was lost while the broker was down (marketplace/queueing.py).
    "payouts-requeue-approved": {"task": "payments.payouts_requeue_approved", "schedule": 2 * 60},
    "refunds-requeue-pending": {"task": "payments.refunds_requeue_pending", "schedule": 5 * 60},
    "notification-emails-requeue": {"task": "marketplace.notification_emails_requeue", "schedule": 5 * 60},
    "invitation-batches-requeue": {"task": "campaigns.invitation_batches_requeue_stuck", "schedule": 5 * 60},
    "roster-imports-requeue": {"task": "creators.roster_import_jobs_requeue", "schedule": 5 * 60},
    "roster-claim-invitations-requeue": {
        "task": "creators.roster_claim_invitations_requeue",
        "schedule": 5 * 60,
    },
    # Nightly: metrics age (authenticity freshness) and the platform's tier medians move daily.
    "match-features-refresh": {"task": "campaigns.match_features_refresh_all", "schedule": 24 * 60 * 60},
    # Connected accounts that are due (spread over the day and week by platforms.services.refresh).
    "platforms-refresh-due": {"task": "platforms.refresh_due", "schedule": 10 * 60},
    # Published deliverables' post metrics at 24 h, 7 and 30 days (platforms.services.post_capture).
    "platforms-post-snapshots-take-due": {"task": "platforms.post_snapshots_take_due", "schedule": 15 * 60},
    # Clicks buffered by /r/<code> are written in batches (tracking.clicks).
    "tracking-clicks-flush": {"task": "tracking.clicks_flush", "schedule": 10},
    "tracking-postback-receipts-prune": {"task": "tracking.postback_receipts_prune", "schedule": 60 * 60},
    # Commissions become payable once a collaboration's attribution window has closed.
    "commissions-accrue-due": {"task": "payments.commissions_accrue_due", "schedule": 15 * 60},
}

# Organizations
ORG_INVITATION_TTL_DAYS = env.int("ORG_INVITATION_TTL_DAYS", default=7)
# An organization staff have not verified publishes under limits (brands/verification_limits.py):
# this many published briefs at a time, this many invitations per brief (any status), no sponsorships.
UNVERIFIED_MAX_PUBLISHED_BRIEFS = env.int("UNVERIFIED_MAX_PUBLISHED_BRIEFS", default=1)
UNVERIFIED_MAX_INVITATIONS_PER_BRIEF = env.int("UNVERIFIED_MAX_INVITATIONS_PER_BRIEF", default=10)
# Verification documents (NIB, NPWP, foundation deed, SK Kemenkumham): PDF, JPEG or PNG, each at most this size.
VERIFICATION_DOCUMENT_MAX_MB = env.int("VERIFICATION_DOCUMENT_MAX_MB", default=10)

# Partner API (Django REST framework). Sessions for the browser, Bearer keys and tokens for tools.
REST_FRAMEWORK = {
    # Bearer first: its WWW-Authenticate header makes missing or bad credentials a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.access.ReadOnlyKeys"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["api.limits.PrincipalThrottle"],
    "DEFAULT_THROTTLE_RATES": {"principal": env.str("API_RATE", default="600/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# (requests, seconds) per caller for flows worth abusing; counted atomically in the cache (Redis).
API_SENSITIVE_LIMITS = {
    "invitations": (env.int("API_LIMIT_INVITATIONS", default=60), 3600),
    "applications": (env.int("API_LIMIT_APPLICATIONS", default=30), 3600),
    "payouts": (env.int("API_LIMIT_PAYOUTS", default=300), 3600),
    "fundings": (env.int("API_LIMIT_FUNDINGS", default=60), 3600),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kolabo partner API",
    "DESCRIPTION": "Everything the Kolabo web pages do, for agency dashboards, CRMs and NGO systems. "
    "Authenticate with `Authorization: Bearer <organization API key or personal token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "brands.models.Organization.Kind",
        "CampaignKindEnum": "campaigns.models.Campaign.Kind",
        "PlatformEnum": "creators.models.Platform",
        "CurrencyEnum": "marketplace.settings.CURRENCIES",
    },
}

# Stripe. With no key set, the app talks to the local emulator (python -m stripe_emulator), which
# `make run` and the test session start; STRIPE_API_BASE points the official library at it.
# Production has no fallbacks: the emulator's keys are public, and 127.0.0.1 moves no money.
_STRIPE_EMULATOR_KEYS = ("sk_test_kolabo_emulator", "whsec_kolabo_emulator")
if PRODUCTION:
    STRIPE_SECRET_KEY = _production_value("STRIPE_SECRET_KEY", refused=_STRIPE_EMULATOR_KEYS)
    STRIPE_WEBHOOK_SECRET = _production_value("STRIPE_WEBHOOK_SECRET", refused=_STRIPE_EMULATOR_KEYS)
    STRIPE_API_BASE = _production_value("STRIPE_API_BASE", default="https://api.stripe.com", public_url=True)
else:
    STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default=_STRIPE_EMULATOR_KEYS[0])
    STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default=_STRIPE_EMULATOR_KEYS[1])
    STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:12111")
# Seconds before a Stripe call counts as timed out (its outcome is then unknown, not failed).
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=20.0)

# Instagram (API with Instagram Login) and TikTok (Login Kit v2, Display API). With no app
# credentials set, the app talks to the local emulator (python -m platform_emulator), which
# `make run` and the test session start; PLATFORM_EMULATOR_URL says where. Production has no
# fallbacks. Tokens are encrypted with PLATFORM_TOKEN_KEYS (Fernet keys, newest first).
_PLATFORM_EMULATOR_KEYS = ("kolabo-ig-app", "kolabo-ig-secret", "kolabo-tt-app", "kolabo-tt-secret")
_DEV_TOKEN_KEY = "a29sYWJvLWRldi1vbmx5LXRva2VuLWtleS0wMDAwMDA="  # noqa: S105 - public, refused in production
if PRODUCTION:
    INSTAGRAM_CLIENT_ID = _production_value("INSTAGRAM_CLIENT_ID", refused=_PLATFORM_EMULATOR_KEYS)
    INSTAGRAM_CLIENT_SECRET = _production_value("INSTAGRAM_CLIENT_SECRET", refused=_PLATFORM_EMULATOR_KEYS)
    TIKTOK_CLIENT_KEY = _production_value("TIKTOK_CLIENT_KEY", refused=_PLATFORM_EMULATOR_KEYS)
    TIKTOK_CLIENT_SECRET = _production_value("TIKTOK_CLIENT_SECRET", refused=_PLATFORM_EMULATOR_KEYS)
    INSTAGRAM_AUTHORIZE_URL = "https://www.instagram.com/oauth/authorize"
    INSTAGRAM_API_BASE = "https://api.instagram.com"
    INSTAGRAM_GRAPH_BASE = "https://graph.instagram.com"
    TIKTOK_AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
    TIKTOK_API_BASE = "https://open.tiktokapis.com"
    PLATFORM_TOKEN_KEYS = [
        key.strip()
        for key in _production_value("PLATFORM_TOKEN_KEYS", refused=(_DEV_TOKEN_KEY,)).split(",")
        if key.strip()
    ]
else:
    PLATFORM_EMULATOR_URL = env.str("PLATFORM_EMULATOR_URL", default="http://127.0.0.1:12112").rstrip("/")
    INSTAGRAM_CLIENT_ID = env.str("INSTAGRAM_CLIENT_ID", default="kolabo-ig-app")
    INSTAGRAM_CLIENT_SECRET = env.str("INSTAGRAM_CLIENT_SECRET", default="kolabo-ig-secret")
    TIKTOK_CLIENT_KEY = env.str("TIKTOK_CLIENT_KEY", default="kolabo-tt-app")
    TIKTOK_CLIENT_SECRET = env.str("TIKTOK_CLIENT_SECRET", default="kolabo-tt-secret")
    INSTAGRAM_AUTHORIZE_URL = f"{PLATFORM_EMULATOR_URL}/instagram/oauth/authorize"
    INSTAGRAM_API_BASE = f"{PLATFORM_EMULATOR_URL}/instagram-api"
    INSTAGRAM_GRAPH_BASE = f"{PLATFORM_EMULATOR_URL}/instagram-graph"
    TIKTOK_AUTHORIZE_URL = f"{PLATFORM_EMULATOR_URL}/tiktok/v2/auth/authorize/"
    TIKTOK_API_BASE = f"{PLATFORM_EMULATOR_URL}/tiktok-api"
    PLATFORM_TOKEN_KEYS = env.list("PLATFORM_TOKEN_KEYS", default=[_DEV_TOKEN_KEY])
for _key in PLATFORM_TOKEN_KEYS:
    try:
        if len(base64.urlsafe_b64decode(_key.encode())) != 32:
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(
            "PLATFORM_TOKEN_KEYS must hold Fernet keys (32 bytes, URL-safe base64), comma-separated."
        ) from None
INSTAGRAM_GRAPH_VERSION = env.str("INSTAGRAM_GRAPH_VERSION", default="v23.0")
# Seconds before a platform call counts as timed out; the refresh is then deferred, never lost.
PLATFORM_TIMEOUT_SECONDS = env.float("PLATFORM_TIMEOUT_SECONDS", default=10.0)
# A refresh a platform refused for its rate limit waits this long, doubling (with jitter) up to the
# maximum; repeated app-wide refusals pause the platform for every worker from the cooldown base.
PLATFORM_BACKOFF_BASE_SECONDS = env.float("PLATFORM_BACKOFF_BASE_SECONDS", default=300.0)
PLATFORM_BACKOFF_MAX_SECONDS = env.float("PLATFORM_BACKOFF_MAX_SECONDS", default=12 * 60 * 60.0)
PLATFORM_COOLDOWN_BASE_SECONDS = env.float("PLATFORM_COOLDOWN_BASE_SECONDS", default=30.0)

# Platform fee on top of what creators receive, as a fraction: brands, NGOs (lower); volunteer
# campaigns pay none.
PLATFORM_FEE_RATE_BRAND = Decimal(env.str("PLATFORM_FEE_RATE_BRAND", default="0.10"))
PLATFORM_FEE_RATE_NGO = Decimal(env.str("PLATFORM_FEE_RATE_NGO", default="0.05"))

# A payout still "sending" after this many seconds lost its worker; reconciliation looks it up.
PAYOUT_STALE_SECONDS = env.int("PAYOUT_STALE_SECONDS", default=300)

# Campaigns: the largest draft file a creator may upload, in megabytes.
SUBMISSION_MAX_UPLOAD_MB = env.int("SUBMISSION_MAX_UPLOAD_MB", default=50)

# Fair exposure: the most open (pending or countered) invitations one creator holds across all
# campaigns; inviting them beyond it is refused until some are answered.
MAX_OPEN_INVITATIONS_PER_CREATOR = env.int("KOLABO_MAX_OPEN_INVITATIONS", default=10)

# Recommendations: how many creators each published brief keeps, and how long creator changes are
# gathered before the briefs are re-ranked (one run for a burst of edits).
RECOMMENDATIONS_PER_BRIEF = env.int("KOLABO_RECOMMENDATIONS_PER_BRIEF", default=50)
RECOMMENDATIONS_DEBOUNCE_SECONDS = env.int("KOLABO_RECOMMENDATIONS_DEBOUNCE_SECONDS", default=60)

# Security
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp; the API docs' exception is in marketplace/csp.py). Everything
# comes from our own origin (no CDN); inline scripts need the request's nonce. Pico CSS and the TOTP
# QR code use data: images. No form-action: Checkout and Connect onboarding redirect off-site.
# object-src falls back to 'self' (not 'none') so browsers' PDF viewers still open draft PDFs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Eager tasks would log every run into the web server's console.
    "loggers": {"celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"}},
}
