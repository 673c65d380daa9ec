"""Settings for the Taxpayer Service Center: one module, driven by the environment.

Every knob is an environment variable (see README "Configuration"). Secrets may also be
given as NAME_FILE pointing at a file, so they can come from a secrets store.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def envbool(name: str, default: bool = False) -> bool:
    """A true/false switch. Anything but a true or false spelling is refused: a typo such as
    DEBUG=ture must not silently mean off (or on)."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, true/false, yes/no, on/off).")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def envsecret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE."""
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = envbool("DEBUG")
VAR_DIR = Path(os.environ.get("TSC_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "huey.contrib.djhuey",
    "tsc.audit",
    "tsc.taxpayers",
    "tsc.accounts",
    "tsc.filing",
    "tsc.payments",
    "tsc.ledger",
    "tsc.letters",
    "tsc.bulk",
    "tsc.api",
    "tsc.notices",
    "tsc.contact",
    "tsc.help",
    "tsc.visits",
    "tsc.backoffice",
    "tsc.site",
]

MIDDLEWARE = [
    "tsc.visits.middleware.VisitLogMiddleware",  # first: sees the final status and bytes
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "tsc.lib.request_context.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tsc.accounts.middleware.IdleTimeoutMiddleware",
    "tsc.accounts.acting.ActingContextMiddleware",
    "tsc.lib.busy.BusyDatabaseMiddleware",
    "tsc.accounts.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tsc.urls"
WSGI_APPLICATION = "tsc.wsgi.application"

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
                "django.template.context_processors.csp",
                "tsc.accounts.context_processors.tsc",
                "tsc.help.pages.help_for_this_page",
            ],
        },
    },
]
FORM_RENDERER = "tsc.lib.forms.UswdsFormRenderer"

# Database: SQLite (WAL) by default, PostgreSQL via DATABASE_URL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tsc.sqlite3'}",
        # Persistent connections (a new PostgreSQL connection per request cost about 3x on a
        # trivial page: issue 13), checked before reuse.
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool("DB_PREPARED_STATEMENTS", True):
    # Values sent apart from the query, and a query asked often on a connection prepared once
    # (psycopg's own default, which Django turns off): PostgreSQL then skips parsing and planning
    # it again, a third to a half of what the data pages cost the database (issue 13; ADR 0012).
    # Turn off behind a pooler in transaction mode (PgBouncer before 1.21).
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": envint("DB_PREPARE_THRESHOLD", 5),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication: taxpayer logins sign in with registration number + User ID + password.
AUTH_USER_MODEL = "accounts.Login"
AUTHENTICATION_BACKENDS = ["tsc.accounts.backends.LoginBackend"]
LOGIN_URL = "site:welcome"
# User IDs are unique per business, not globally; LoginBackend looks them up with the business.
SILENCED_SYSTEM_CHECKS = [
    "auth.W004",
    # The data pages' covering indexes carry non-key columns on PostgreSQL (ADR 0012); SQLite
    # makes them without, as it should.
    "models.W040",
]
PASSWORD_HASHERS = [
    # Reads any Argon2 hash (its parameters are in it) and re-makes old ones at the next sign-in.
    "tsc.accounts.passwords.TscArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tsc.accounts.passwords.TscPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("user_id", "first_name", "last_name", "email")},
    },
]
# The seed: three consecutive failures lock the login until the TSC Administrator unlocks it.
TSC_LOGIN_FAILURE_LIMIT = envint("TSC_LOGIN_FAILURE_LIMIT", 3)
# Failed attempts (sign-in, forgot password, enrollment and recovery codes) allowed per hour from
# one client address, and against one login, before further attempts are refused unchecked.
TSC_THROTTLE_PER_ADDRESS = envint("TSC_THROTTLE_PER_ADDRESS", 10)
TSC_THROTTLE_PER_LOGIN = envint("TSC_THROTTLE_PER_LOGIN", 10)
# Days an administrator recovery code (issued by DRS staff for a locked-out administrator) works.
TSC_RECOVERY_CODE_DAYS = envint("TSC_RECOVERY_CODE_DAYS", 30)
# Signed-in sessions end after this many seconds without a request.
TSC_IDLE_TIMEOUT = envint("TSC_IDLE_TIMEOUT", 15 * 60)
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Transport security: on whenever DEBUG is off.
SECURE = not DEBUG
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 63072000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", SECURE)
if envbool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The daily bank batch (NACHA file of taxpayer debits, tsc/payments/batch.py): who receives the
# file and who originates the debits. The defaults are placeholders for development.
TSC_ACH_DESTINATION_ROUTING = os.environ.get("TSC_ACH_DESTINATION_ROUTING", "011000015")
TSC_ACH_DESTINATION_NAME = os.environ.get("TSC_ACH_DESTINATION_NAME", "FEDERAL RESERVE BANK")
TSC_ACH_ODFI_ROUTING = os.environ.get("TSC_ACH_ODFI_ROUTING", "011000015")
TSC_ACH_ORIGIN_ID = os.environ.get("TSC_ACH_ORIGIN_ID", "1066000798")
TSC_ACH_ORIGIN_NAME = os.environ.get("TSC_ACH_ORIGIN_NAME", "CT DEPT OF REVENUE SVCS")
TSC_ACH_COMPANY_NAME = os.environ.get("TSC_ACH_COMPANY_NAME", "CT DEPT REVENUE")
# When the daily batch runs (America/New_York): payments sent that day must be scheduled before.
TSC_BATCH_HOUR = envint("TSC_BATCH_HOUR", 17)

# Uploaded 1099/W-2G files are deleted this many days after they were checked (accepted or not).
TSC_UPLOAD_RETENTION_DAYS = envint("TSC_UPLOAD_RETENTION_DAYS", 90)
# Uploads of at least this many records are checked by a child process while this one stores
# them (tsc/filing/upload_pipeline.py); 0 checks every upload in one process.
TSC_UPLOAD_PIPELINE_RECORDS = envint("TSC_UPLOAD_PIPELINE_RECORDS", 20_000)
# The visit log of the privacy policy (tsc/visits): days a visit is kept, and this server's
# address when the WSGI server does not say (found from the host otherwise).
TSC_VISIT_RETENTION_DAYS = envint("TSC_VISIT_RETENTION_DAYS", 365)
TSC_SERVER_IP = os.environ.get("TSC_SERVER_IP", "")
# The filer API (tsc/api): idempotency keys of POSTs are forgotten after this many days.
TSC_API_IDEMPOTENCY_DAYS = envint("TSC_API_IDEMPOTENCY_DAYS", 7)
# Links in e-mails (announcement subscriptions) point here.
TSC_SITE_URL = os.environ.get("TSC_SITE_URL", "http://127.0.0.1:8000")
# E-mail (Django's mailers): printed to the console in development; in production an SMTP server.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": envint("EMAIL_PORT", 25),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": envsecret("EMAIL_HOST_PASSWORD"),
            "use_tls": envbool("EMAIL_USE_TLS"),
        }
        if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "DRS Taxpayer Service Center <no-reply@example.gov>")

# Personal data at rest (tsc/lib/pii.py): AES-GCM keys and the blind-index key. Never SECRET_KEY.
TSC_PII_KEYS = envsecret("TSC_PII_KEYS")
TSC_PII_INDEX_KEY = envsecret("TSC_PII_INDEX_KEY")
if not (TSC_PII_KEYS and TSC_PII_INDEX_KEY) and not DEBUG:
    raise ImproperlyConfigured("TSC_PII_KEYS and TSC_PII_INDEX_KEY must be set when DEBUG is off.")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "m/d/Y"
SHORT_DATE_FORMAT = "m/d/Y"
NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = ","
DATE_INPUT_FORMATS = ["%m/%d/%Y"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "uploads"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Serve straight from the source folders in development and tests (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# The cache holds attempt counters (tsc/lib/throttle.py): Redis when there is one (shared by every
# host), else files in VAR_DIR (shared by the processes of one host).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Background work: the django.tasks API, executed by huey (SQLite file by default, Redis at scale).
# tsc.lib.tasks' huey classes carry the one huey task that runs django.tasks tasks, so
# `manage.py run_huey` is the worker. TSC_HUEY_IMMEDIATE=1 runs tasks at once, in the request.
HUEY = {
    "name": os.environ.get("TSC_HUEY_NAME", "tsc"),
    "immediate": envbool("TSC_HUEY_IMMEDIATE"),
}
if REDIS_URL:
    HUEY |= {"huey_class": "tsc.lib.tasks.TscRedisHuey", "url": REDIS_URL}
else:
    HUEY |= {
        "huey_class": "tsc.lib.tasks.TscSqliteHuey",
        "filename": os.environ.get("TSC_HUEY_FILE") or str(VAR_DIR / "huey.sqlite3"),
    }
TASKS = {"default": {"BACKEND": "tsc.lib.tasks.HueyBackend"}}

# Logs carry no personal data: no bodies, no query strings with PII (PII never goes in URLs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # run_huey adds its own handler; do not print each line twice.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
