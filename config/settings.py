"""Settings, read from the environment. Every value has an embedded default that runs offline."""

import base64
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_str
from config.media_storage import s3_media_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The SECRET_KEY variable, or a key generated once and kept in var/ for local runs."""
    configured = env_str("SECRET_KEY", "")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The port `make run` serves on (the Procfile's web line reads it too).
WEB_PORT = env_int("WEB_PORT", 8000)
if not 0 < WEB_PORT < 65536:
    raise ImproperlyConfigured(f"WEB_PORT={WEB_PORT} is not a TCP port (1-65535).")
# The address prospects and email recipients see in links (wizard pages, unsubscribe, tracking).
# Unset, it is the address `make run` serves, so every link printed or sent locally opens.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{WEB_PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "ninja",
    "outreach",
    "engagement",
    "automations",
    "campaigns",
    "media_pipeline",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so static files carry the policy too: every response does.
    "csp.middleware.CSPMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: it turns a locked-out sign-in into the lockout answer.
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
                "outreach.workspaces.context_processors.workspace",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'crm.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside a writer, and IMMEDIATE
    # transactions take the write lock up front instead of failing half-way with "locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    # An unreachable server fails a request in seconds (answered 503), not after a TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT_SECONDS", 5
    )
# While the database is unreachable, pages and the API answer 503 with this Retry-After.
DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = env_int("DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS", 30)
# Parameters go to the server apart from the SQL, so psycopg prepares a statement the fifth
# time a connection runs it and PostgreSQL stops planning it again: on the API's lists the
# planning of each query cost more than running it. Turn it off behind a transaction-pooling
# proxy that cannot keep prepared statements.
if IS_POSTGRES and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
# PostgreSQL compiles a query to machine code once its estimated cost passes a threshold that
# the reports' grouped counts over a quarter of a million rows all pass: the compiling took
# 100-270 ms of a query that then ran in less. Queries here are short; compiling never pays.
if IS_POSTGRES and not env_bool("DATABASE_JIT", False):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Reads and writes fail open while Redis is down (config/cache.py); short socket
            # timeouts keep a Redis that hangs from holding a page up.
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "crm",
            "OPTIONS": {
                "socket_connect_timeout": env_float("CACHE_CONNECT_TIMEOUT_SECONDS", 0.5),
                "socket_timeout": env_float("CACHE_TIMEOUT_SECONDS", 1.0),
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # A message taken by a worker that dies is handed to another one after this long. It is
    # longer than the hard time limit (checked below), so a task still running is never given
    # to a second worker; the work of a dead worker resumes sooner through the leases its
    # rows carry (videos, automation runs, sends), which the beat sweeps watch.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, str | int | float] = {
        "visibility_timeout": env_int(
            "CELERY_VISIBILITY_TIMEOUT", env_int("CELERY_TASK_TIME_LIMIT", 300) + 60
        ),
        # Publishing to a Redis that is down fails in about a second instead of hanging.
        "socket_connect_timeout": env_float("CELERY_BROKER_CONNECT_TIMEOUT_SECONDS", 1.0),
    }
else:
    # No server needed: the cache is files under var/, and so is the queue (kombu's filesystem
    # transport), which every process started by `make run` shares.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    _queue_dir = VAR_DIR / "broker"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    # kombu reads the host from the URL and, given none, warns that it falls back to
    # "localhost"; the filesystem transport ignores the host, so name it and stay quiet.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_queue_dir / "control"),
        "polling_interval": 0.5,
    }

# --- Celery ---------------------------------------------------------------------------------
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
# Messages a worker reserves per process. With late acks the running tasks count, so with 1 a
# worker holds only what it is running: a message reserved ahead by a worker that dies waits
# out the whole visibility timeout before another worker may take it (minutes of a campaign).
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_WORKER_PREFETCH_MULTIPLIER", 1)
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
# A worker of the bulk queue alone lowers its CPU priority by this much (0 keeps it), so videos
# and imports yield the CPU to the web app and the interactive workers on a shared machine. The
# lowest priority, 19, because ffmpeg encodes on several threads that each compete for the CPU:
# at 10, a render's threads together still weighed about as much as an interactive worker.
BULK_WORKER_NICENESS = env_int("BULK_WORKER_NICENESS", 19)
# Celery's Django integration closes the database connection around every task unless told
# to reuse it; opening a new PostgreSQL connection cost more than most of our tasks do.
# Django's CONN_MAX_AGE and health checks still retire old or broken connections.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish the broker refuses is given up on quickly: the outbox or a sweep keeps the work,
# and a page must not wait for a broker that is down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1}
# The outbox (outreach/outbox): a task recorded with its change waits this long for its publish
# after commit before the sweep may hand it out; a publish that failed is tried again this often.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 10)
OUTBOX_SWEEP_GRACE_SECONDS = env_int("OUTBOX_SWEEP_GRACE_SECONDS", 15)
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 30)
OUTBOX_SWEEP_BATCH_SIZE = env_int("OUTBOX_SWEEP_BATCH_SIZE", 500)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT.")
_visibility_timeout = int(CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 0))
if REDIS_URL and _visibility_timeout <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be above CELERY_TASK_TIME_LIMIT: a task still running "
        "would be handed to a second worker."
    )

# --- Auth and sessions ----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "crm:dashboard"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: a locked-out account or address is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Wrong passwords that lock the account, and the client's address, each on its own; and wrong
# API keys that lock an address. Both locks last LOGIN_LOCKOUT_MINUTES from the last failure.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
API_KEY_FAILURE_LIMIT = env_int("API_KEY_FAILURE_LIMIT", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
if min(LOGIN_FAILURE_LIMIT, API_KEY_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES) < 1:
    raise ImproperlyConfigured(
        "LOGIN_FAILURE_LIMIT, API_KEY_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1."
    )
AXES_FAILURE_LIMIT = "outreach.workspaces.lockout.failure_limit"
AXES_LOCKOUT_PARAMETERS = "outreach.workspaces.lockout.lockout_parameters"
AXES_LOCKOUT_CALLABLE = "outreach.workspaces.lockout.lockout_response"
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# A guess during the lockout does not start the wait again: the account's owner knows when
# they can sign in.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# The same client address the wizard's limits use (TRUSTED_PROXY_COUNT proxies deep).
AXES_CLIENT_IP_CALLABLE = "outreach.wizard.ratelimit.client_address"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)

# --- HTTPS and security headers -------------------------------------------------------------
# Off by default so `make run` works over plain http; production turns them on (README,
# "Running in production"). Behind a proxy that ends TLS, SECURE_PROXY_SSL_HEADER names the
# header it sets (e.g. HTTP_X_FORWARDED_PROTO), so requests it forwarded count as https.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Load balancers probe the health checks over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https")
# Every page's scripts are files under static/ (no inline <script>, no on...= handlers, no
# eval: htmx's `js:` values are off), so the policy allows scripts from our own origin only.
# Styles allow inline attributes: tag colours and progress bars are set per row.
# CSP_MEDIA_SOURCES adds the origins videos and pictures are served from when they live in
# object storage or a CDN.
_csp_media = [SELF, *env_list("CSP_MEDIA_SOURCES", [])]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [*_csp_media, "data:"],
        "media-src": _csp_media,
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- I18N, static and media -----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Generated media (videos, narration, pictures, reports, import error reports) go through
# Django's storage API: files under MEDIA_ROOT by default, or any S3-compatible store shared by
# every machine when MEDIA_S3_BUCKET is set, whose links are signed and expire.
MEDIA_S3_BUCKET = env_str("MEDIA_S3_BUCKET", "")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = s3_media_storage(MEDIA_S3_BUCKET)

# CSV imports: the largest file a member may upload.
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 100_000_000)
# How long one run of an import task works before it hands the rest to the next one: well
# under CELERY_TASK_SOFT_TIME_LIMIT.
IMPORT_TIME_BUDGET_SECONDS = env_int("IMPORT_TIME_BUDGET_SECONDS", 120)

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CRM <crm@localhost>")

# --- REST API -------------------------------------------------------------------------------
NINJA_PAGINATION_CLASS = "config.pagination.Pages"
NINJA_PAGINATION_PER_PAGE = 50
NINJA_MAX_PER_PAGE_SIZE = 200
# How often an API key's "last used" time is written; a write per request would cost more
# than the request itself.
API_KEY_LAST_USED_RESOLUTION_SECONDS = env_int("API_KEY_LAST_USED_RESOLUTION_SECONDS", 60)

# --- Public wizard pages -------------------------------------------------------------------
# Wrong wizard links one client address may try per window before it is answered 429: enough
# for mistyped links, far too few to find a live token by guessing.
WIZARD_TOKEN_MISSES_PER_WINDOW = env_int("WIZARD_TOKEN_MISSES_PER_WINDOW", 20)
WIZARD_TOKEN_MISS_WINDOW_SECONDS = env_int("WIZARD_TOKEN_MISS_WINDOW_SECONDS", 600)
# Proxies in front of the app that append the client's address to X-Forwarded-For; 0 means
# clients connect directly and REMOTE_ADDR is theirs.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Outbound fetches (research, webhooks) --------------------------------------------------
# Off in production: a prospect's website or a webhook URL must not reach our own network.
OUTBOUND_ALLOW_PRIVATE_ADDRESSES = env_bool("OUTBOUND_ALLOW_PRIVATE_ADDRESSES", False)

# --- Hosted providers (a key switches a job to its hosted provider) -----------------------------
# Without a key each job runs on its embedded default, offline: rules and templates for reply
# triage, engagement explanations and scripts, eSpeak NG narration and Pillow scene cards.
ANTHROPIC_API_KEY = env_str("ANTHROPIC_API_KEY", "")
ANTHROPIC_MODEL = env_str("ANTHROPIC_MODEL", "claude-sonnet-4-6")
ELEVENLABS_API_KEY = env_str("ELEVENLABS_API_KEY", "")
ELEVENLABS_MODEL = env_str("ELEVENLABS_MODEL", "eleven_multilingual_v2")
# A campaign without its own voice speaks with this one ("Rachel", one of the premade voices).
ELEVENLABS_VOICE_ID = env_str("ELEVENLABS_VOICE_ID", "21m00Tcm4TlvDq8ikWAM")
ELEVENLABS_CONCURRENCY = env_int("ELEVENLABS_CONCURRENCY", 3)
# An image API that takes a prompt as an async job (POST a prediction, poll it by id), in the
# shape of Replicate's predictions API.
MEDIA_IMAGE_API_URL = env_str("MEDIA_IMAGE_API_URL", "https://api.replicate.com/v1")
MEDIA_IMAGE_API_KEY = env_str("MEDIA_IMAGE_API_KEY", "")
MEDIA_IMAGE_MODEL = env_str("MEDIA_IMAGE_MODEL", "black-forest-labs/flux-schnell")
MEDIA_IMAGE_CONCURRENCY = env_int("MEDIA_IMAGE_CONCURRENCY", 4)
MEDIA_IMAGE_POLL_SECONDS = env_int("MEDIA_IMAGE_POLL_SECONDS", 2)
MEDIA_IMAGE_POLL_TIMEOUT_SECONDS = env_int("MEDIA_IMAGE_POLL_TIMEOUT_SECONDS", 150)

# --- Media pipeline (campaign videos) -----------------------------------------------------------
# A prospect's website is read up to this size; a bigger page fails research.
RESEARCH_MAX_BYTES = env_int("RESEARCH_MAX_BYTES", 2_000_000)
RESEARCH_TIMEOUT_SECONDS = env_int("RESEARCH_TIMEOUT_SECONDS", 10)
# A job whose worker has not renewed its lease for this long is stuck: the sweep retries it.
MEDIA_PIPELINE_LEASE_SECONDS = env_int("MEDIA_PIPELINE_LEASE_SECONDS", 30)
# Failed attempts wait 2 s, then 4 s (doubling); a job gives up after this many attempts.
MEDIA_PIPELINE_RETRY_DELAY_SECONDS = env_int("MEDIA_PIPELINE_RETRY_DELAY_SECONDS", 2)
MEDIA_PIPELINE_MAX_ATTEMPTS = env_int("MEDIA_PIPELINE_MAX_ATTEMPTS", 3)
# Leases lost to dead workers do not count as attempts; after this many the job fails.
MEDIA_PIPELINE_MAX_LOST_LEASES = env_int("MEDIA_PIPELINE_MAX_LOST_LEASES", 10)
# Prospects worked on at once across all campaigns; the rest wait in the database, not the queue.
MEDIA_PIPELINE_MAX_IN_FLIGHT = env_int("MEDIA_PIPELINE_MAX_IN_FLIGHT", 4)

# --- Engagement scoring ---------------------------------------------------------------------
# Contacts read per batch; each batch costs the same few queries whatever its size.
ENGAGEMENT_BATCH_SIZE = env_int("ENGAGEMENT_BATCH_SIZE", 2000)
# An unchanged score is still redone after this long, so explanations never grow very old.
ENGAGEMENT_RESCORE_AFTER_DAYS = env_int("ENGAGEMENT_RESCORE_AFTER_DAYS", 30)
# A scoring task stops between batches after this long (below the Celery soft limit) and
# hands the rest to a follow-up task.
ENGAGEMENT_TASK_TIME_BUDGET_SECONDS = env_int("ENGAGEMENT_TASK_TIME_BUDGET_SECONDS", 150)
ENGAGEMENT_LLM_CONCURRENCY = env_int("ENGAGEMENT_LLM_CONCURRENCY", 4)
# A 429 asking for a longer wait than this makes the run fall back to the rules instead.
ENGAGEMENT_LLM_MAX_RETRY_AFTER_SECONDS = env_int("ENGAGEMENT_LLM_MAX_RETRY_AFTER_SECONDS", 30)
ENGAGEMENT_LLM_TIMEOUT_SECONDS = env_int("ENGAGEMENT_LLM_TIMEOUT_SECONDS", 30)
# --- Automations ----------------------------------------------------------------------------
# How many runs in a row may trigger one another before the next event is not run.
AUTOMATION_CASCADE_LIMIT = env_int("AUTOMATION_CASCADE_LIMIT", 3)
# Runs of one workspace performing actions at the same moment; the others wait their turn.
AUTOMATION_MAX_CONCURRENT_RUNS = env_int("AUTOMATION_MAX_CONCURRENT_RUNS", 5)
# How often beat wakes runs whose delay is over (a delayed action starts at most this late).
AUTOMATION_SWEEP_SECONDS = env_int("AUTOMATION_SWEEP_SECONDS", 10)
# A worker's hold on a run; it is renewed at every action, and a run whose worker died is
# picked up again once it runs out. Longer than the slowest single action.
AUTOMATION_RUN_LEASE_SECONDS = env_int("AUTOMATION_RUN_LEASE_SECONDS", 120)
# A run or event whose task has not shown up for this long is handed to a worker again.
AUTOMATION_REQUEUE_AFTER_SECONDS = env_int("AUTOMATION_REQUEUE_AFTER_SECONDS", 300)
# Attempts of an action that fails for a passing reason (timeouts, 429, 5xx), and their spacing.
AUTOMATION_ACTION_MAX_ATTEMPTS = env_int("AUTOMATION_ACTION_MAX_ATTEMPTS", 4)
AUTOMATION_RETRY_BASE_DELAY_SECONDS = env_int("AUTOMATION_RETRY_BASE_DELAY_SECONDS", 30)
AUTOMATION_RETRY_MAX_DELAY_SECONDS = env_int("AUTOMATION_RETRY_MAX_DELAY_SECONDS", 3600)
AUTOMATION_WEBHOOK_CONNECT_TIMEOUT_SECONDS = env_int(
    "AUTOMATION_WEBHOOK_CONNECT_TIMEOUT_SECONDS", 3
)
AUTOMATION_WEBHOOK_TIMEOUT_SECONDS = env_int("AUTOMATION_WEBHOOK_TIMEOUT_SECONDS", 10)

# --- Retention: the tables that grow with traffic keep this many days (a beat job deletes the
# rest in batches of RETENTION_BATCH_SIZE, each in its own transaction, within the time budget).
# Finished automation runs are counted per rule and day (AutomationRunDay) before they go.
AUTOMATION_RUN_RETENTION_DAYS = env_int("AUTOMATION_RUN_RETENTION_DAYS", 30)
# Events no run refers to (most of them: no rule's conditions matched) are spent once dispatched.
AUTOMATION_EVENT_RETENTION_DAYS = env_int("AUTOMATION_EVENT_RETENTION_DAYS", 7)
# Dealt-with replies (applied, ignored, answered) keep their whole message as received (text and
# HTML, quoted history and all) this long; then only the reply itself stays: its own words as
# triage read them, sender, subject, threading headers and Message-ID (which keeps a message
# delivered again from being stored twice). Replies waiting for triage or a person keep it all.
REPLY_FULL_MESSAGE_RETENTION_DAYS = env_int("REPLY_FULL_MESSAGE_RETENTION_DAYS", 90)
# Email opens and clicks older than this are compacted: one email's opens (or clicks) by one
# contact on one of the workspace's days become one row that counts them (`repeats`, its time
# the last of them), so scores and reports count the same while the repeats (image proxies,
# re-reads) go.
EMAIL_TRACKING_COMPACT_AFTER_DAYS = env_int("EMAIL_TRACKING_COMPACT_AFTER_DAYS", 30)
# The outbox (outreach/outbox) needs no retention: a row is deleted the moment the broker took
# its task, and one the broker has not taken is never deleted, whatever its age.
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 1000)
RETENTION_TIME_BUDGET_SECONDS = env_int("RETENTION_TIME_BUDGET_SECONDS", 120)
if AUTOMATION_RUN_LEASE_SECONDS <= 2 * AUTOMATION_WEBHOOK_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "AUTOMATION_RUN_LEASE_SECONDS must be well above AUTOMATION_WEBHOOK_TIMEOUT_SECONDS."
    )

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # fpdf2 subsets fonts through fontTools, which logs every table it touches at INFO.
        "fontTools": {"level": "WARNING"},
    },
}

# --- Inbound replies ------------------------------------------------------------------------
# Outreach emails carry a reply address <local part>+<workspace token>@<domain>; route that
# domain's mail to the Mailgun inbound webhook or pipe it to a workspace's raw delivery URL.
REPLIES_INBOUND_DOMAIN = env_str("REPLIES_INBOUND_DOMAIN", "replies.localhost")
REPLIES_INBOUND_LOCAL_PART = env_str("REPLIES_INBOUND_LOCAL_PART", "replies")
# A larger inbound message is refused with 413 (25 MB, what mailboxes commonly accept, so a reply
# with an attachment still arrives); stored bodies are cut to the character limits.
REPLIES_MAX_MESSAGE_BYTES = env_int("REPLIES_MAX_MESSAGE_BYTES", 25_000_000)
REPLIES_MAX_TEXT_CHARS = env_int("REPLIES_MAX_TEXT_CHARS", 100_000)
REPLIES_MAX_HTML_CHARS = env_int("REPLIES_MAX_HTML_CHARS", 200_000)
# Triage at or above this confidence acts by itself; below it the reply waits for a rep.
REPLIES_AUTO_APPLY_MIN_CONFIDENCE = env_float("REPLIES_AUTO_APPLY_MIN_CONFIDENCE", 0.75)
# A soft bounce (full mailbox, block, expired queue) retires a contact only when it repeats:
# this many failed deliveries to the address, the first and the last this many days apart.
REPLIES_SOFT_BOUNCES_TO_HARD = env_int("REPLIES_SOFT_BOUNCES_TO_HARD", 3)
REPLIES_SOFT_BOUNCE_DAYS = env_int("REPLIES_SOFT_BOUNCE_DAYS", 7)
# How long sequences pause for an out-of-office reply that gives no return date.
REPLIES_OUT_OF_OFFICE_PAUSE_DAYS = env_int("REPLIES_OUT_OF_OFFICE_PAUSE_DAYS", 7)
# Mailgun signs inbound webhooks with this key (Sending -> Webhooks -> signing key); empty
# turns the Mailgun inbound endpoint off.
ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": env_str("MAILGUN_WEBHOOK_SIGNING_KEY", "")}

# --- Anthropic for reply triage (ANTHROPIC_API_KEY above; empty: the rule classifier) ----------
# Triage is a short classification: a small, fast model is enough.
ANTHROPIC_TRIAGE_MODEL = env_str("ANTHROPIC_TRIAGE_MODEL", "claude-haiku-4-5")
ANTHROPIC_TIMEOUT_SECONDS = env_int("ANTHROPIC_TIMEOUT_SECONDS", 30)
# Attempts per reply on 429/5xx/timeouts, and the longest wait between two of them; a longer
# retry-after makes triage fall back to the rules instead of holding a worker.
ANTHROPIC_MAX_ATTEMPTS = env_int("ANTHROPIC_MAX_ATTEMPTS", 3)
ANTHROPIC_MAX_RETRY_WAIT_SECONDS = env_int("ANTHROPIC_MAX_RETRY_WAIT_SECONDS", 20)
# --- Cadences -------------------------------------------------------------------------------
# Sequence emails each sender may send a day (a workspace can set its own); the rest wait for
# the next business day.
CADENCE_DAILY_SEND_LIMIT = env_int("CADENCE_DAILY_SEND_LIMIT", 200)
# Steps the sweep promotes per transaction, and how long one sweep run may keep going.
CADENCE_SWEEP_BATCH_SIZE = env_int("CADENCE_SWEEP_BATCH_SIZE", 1000)
CADENCE_SWEEP_TIME_BUDGET_SECONDS = env_int("CADENCE_SWEEP_TIME_BUDGET_SECONDS", 45)

# --- Reps' mailboxes (SMTP out, IMAP in) ------------------------------------------------------


def _mailbox_encryption_keys() -> list[str]:
    """Fernet keys for mailbox passwords, newest first: the first encrypts, every one decrypts
    (so a key is rotated by putting a new one in front). Unset: a key generated once into var/,
    like the SECRET_KEY of a local run."""
    configured = env_list("MAILBOX_ENCRYPTION_KEYS", [])
    if configured:
        return configured
    key_file = VAR_DIR / "mailbox_encryption_key"
    if not key_file.exists():
        # A Fernet key: 32 random bytes, URL-safe base64.
        key_file.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        key_file.chmod(0o600)
    return [key_file.read_text().strip()]


MAILBOX_ENCRYPTION_KEYS = _mailbox_encryption_keys()
# How often beat reads new mail from each IMAP mailbox, and how long a failing one may wait
# (its wait doubles with each failure up to this).
MAILBOX_SYNC_INTERVAL_SECONDS = env_int("MAILBOX_SYNC_INTERVAL_SECONDS", 60)
MAILBOX_SYNC_MAX_BACKOFF_SECONDS = env_int("MAILBOX_SYNC_MAX_BACKOFF_SECONDS", 3600)
# A newly connected mailbox is read back this many days, not to its first message.
MAILBOX_FIRST_SYNC_DAYS = env_int("MAILBOX_FIRST_SYNC_DAYS", 14)
# Connecting, signing in and each command to a mail server.
MAILBOX_TIMEOUT_SECONDS = env_int("MAILBOX_TIMEOUT_SECONDS", 20)
# Certificates of mail servers are checked against the system's CAs, plus this file (a
# company's own CA) when set.
MAILBOX_TLS_CA_FILE = env_str("MAILBOX_TLS_CA_FILE", "")
# A one-off email queued this long whose task never ran is handed out again; one claimed this
# long ago whose worker died is marked "maybe sent" for the rep to decide.
MAIL_QUEUED_TOO_LONG_SECONDS = env_int("MAIL_QUEUED_TOO_LONG_SECONDS", 20 * 60)
MAIL_SENDING_TOO_LONG_SECONDS = env_int("MAIL_SENDING_TOO_LONG_SECONDS", 30 * 60)
