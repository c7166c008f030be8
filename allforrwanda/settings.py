"""Settings, read only from environment variables (each one is in the README's table).

Production (DEBUG off) refuses to start without its secrets; `make run` turns DEBUG on and
supplies throwaway development secrets.
"""

import base64
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, *, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_required(name: str, *, dev_default: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"Set the {name} environment variable (see README).")


DEBUG = env_bool("DEBUG", default=False)
DEV_FIELD_ENCRYPTION_KEY = "dev:ZGV2LW9ubHktaW5zZWN1cmUtZmllbGQta2V5LTMyYiE"
SECRET_KEY = env_required("SECRET_KEY", dev_default="dev-only-insecure-secret-key")
# Keys the receipt hash; separate from SECRET_KEY so rotating one never invalidates the other.
RECEIPT_HASH_SECRET = env_required(
    "RECEIPT_HASH_SECRET", dev_default="dev-only-insecure-receipt-secret"
)
# Keys for encrypting identity, free text and evidence at rest: "id:base64url-32-bytes", comma
# separated. The first encrypts; all decrypt, so a key can be rotated in without downtime and
# removed after `manage.py encryption_rotate` (see SECURITY.md). Never the same as SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env_required("FIELD_ENCRYPTION_KEYS", dev_default=DEV_FIELD_ENCRYPTION_KEY)


def refuse_weak_secrets() -> None:
    """Production never starts on a development secret or one short enough to guess.

    The messages name the variable, never its value.
    """
    dev_values = {
        "dev-only-insecure-secret-key",
        "dev-only-insecure-receipt-secret",
        DEV_FIELD_ENCRYPTION_KEY.partition(":")[2],
    }
    for name, value in [("SECRET_KEY", SECRET_KEY), ("RECEIPT_HASH_SECRET", RECEIPT_HASH_SECRET)]:
        if value in dev_values or len(value) < 32 or len(set(value)) < 8:
            raise ImproperlyConfigured(
                f"{name} is a development value or too weak: use at least 32 random characters "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
    for entry in filter(None, (part.strip() for part in FIELD_ENCRYPTION_KEYS.split(","))):
        encoded = entry.partition(":")[2]
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            raw = b""
        if encoded in dev_values or len(raw) != 32:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must hold keys of your own of exactly 32 bytes, not the "
                "development key: make one with `python manage.py encryption_rotate --new-key`."
            )


if not DEBUG:
    refuse_weak_secrets()
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "monitoring.apps.StaffAdminConfig",  # Django's admin, on a site that demands a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "complaints",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that may answer early, so that every response gets its headers.
    "complaints.middleware.PublicPageHeadersMiddleware",
    # Pages travel compressed (a phone on an expensive connection); see SecretPageMiddleware.
    "complaints.middleware.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "complaints.middleware.LanguageLinkMiddleware",
    "complaints.middleware.MalformedBodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "allforrwanda.urls"
WSGI_APPLICATION = "allforrwanda.wsgi.application"

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
            ],
        },
    },
]

# The embedded default serves a few people at once: readers never wait for the writer (WAL), a
# writer waits for another instead of failing ("database is locked"), and transactions take the
# write lock when they begin, so two never deadlock upgrading from a read.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,  # a connection dropped under us is replaced, not a 500
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down or frozen answers within seconds instead of holding a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=env_int("DATABASE_CONNECT_TIMEOUT", default=5),
        options="-c statement_timeout={} -c idle_in_transaction_session_timeout={}".format(
            env_int("DATABASE_STATEMENT_TIMEOUT_MS", default=15000),
            env_int("DATABASE_STATEMENT_TIMEOUT_MS", default=15000) * 2,
        ),
        keepalives=1,
        keepalives_idle=30,
        keepalives_interval=10,
        keepalives_count=3,
    )
# The client's own limit, for a server that accepts connections and never answers (the server's
# statement timeout cannot fire then): complaints/outage.py bounded_wait.
DATABASE_CLIENT_TIMEOUT_SECONDS = env_int(
    "DATABASE_CLIENT_TIMEOUT_SECONDS",
    default=env_int("DATABASE_STATEMENT_TIMEOUT_MS", default=15000) // 1000 + 5,
)
# What a 503 for an outage asks the browser (and the person) to wait before trying again.
OUTAGE_RETRY_AFTER_SECONDS = env_int("OUTAGE_RETRY_AFTER_SECONDS", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions live in the cache, never in the database: a filing draft holds a narrative and the
# receipt page holds the receipt, and neither may reach a database dump. Production must point
# REDIS_URL at a Redis that does not persist to disk (see README).
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that is gone or frozen fails the request within seconds (a 503 that says
            # what was kept, complaints/outage.py) instead of holding a worker.
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_TIMEOUT_SECONDS", default=2),
                "socket_timeout": env_int("REDIS_TIMEOUT_SECONDS", default=2),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# The cookie ends with the browser; the server forgets the session after its idle timeout.
SESSION_ENGINE = "complaints.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age is an idle timeout, renewed on each request
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Filing a long narrative on a slow phone can take longer than the tracking timeout.
FILING_IDLE_MINUTES = env_int("FILING_IDLE_MINUTES", default=120)
TRACKING_IDLE_MINUTES = min(env_int("TRACKING_IDLE_MINUTES", default=30), 30)

# Staff sign in with a password and a code from an authenticator app (TOTP); see
# monitoring/accounts.py. The axes backend refuses a locked username before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "admin:login"
OTP_TOTP_ISSUER = "All For Rwanda"  # the account's name in the authenticator app
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret or QR code

# Failed staff sign-ins (wrong passwords and wrong codes alike) lock the username for a while.
# Never an address: camps and offices share one, and no address may be stored. The hooks in
# monitoring/lockout.py keep addresses and browser details out of axes' records and logs.
STAFF_LOGIN_FAILURE_LIMIT = env_int("STAFF_LOGIN_FAILURE_LIMIT", default=5)
STAFF_LOCKOUT_MINUTES = env_int("STAFF_LOCKOUT_MINUTES", default=30)
AXES_FAILURE_LIMIT = STAFF_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=STAFF_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "monitoring.lockout.no_client_address"
AXES_HANDLER = "monitoring.lockout.StaffLockoutHandler"
AXES_LOCKOUT_CALLABLE = "monitoring.accounts.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # it would keep a row per sign-in, address and browser included
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_ENABLE_ADMIN = False  # unlock early with `manage.py axes_reset_username NAME`
AXES_RESET_ON_SUCCESS = True  # a full sign-in (both factors) clears the count
# Tries during a lockout neither count nor extend it: the cool-off ends when it said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Masked in axes' stored form data and log lines.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "user_agent",
    "otp_token",
    "csrfmiddlewaretoken",
]
AXES_VERBOSE = False
# axes.W006 asks for the address as a lockout parameter; leaving it out is the point (above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Kinyarwanda first among the people served; the switcher shows each by its own name.
LANGUAGES = [
    ("rw", _("Kinyarwanda")),
    ("en", _("English")),
    ("fr", _("French")),
    ("sw", _("Swahili")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django knows no Kinyarwanda: its name, and its date formats (allforrwanda/formats/rw/).
LANG_INFO.setdefault(
    "rw", {"bidi": False, "code": "rw", "name": "Kinyarwanda", "name_local": "Ikinyarwanda"}
)
FORMAT_MODULE_PATH = ["allforrwanda.formats"]
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Serve static files from the source folders (development and tests) instead of the
# collected, hashed copies that production builds with `collectstatic`.
STATIC_FROM_SOURCE = env_bool("STATIC_FROM_SOURCE", default=DEBUG)
WHITENOISE_USE_FINDERS = STATIC_FROM_SOURCE
WHITENOISE_AUTOREFRESH = STATIC_FROM_SOURCE
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Evidence never sits under a public URL: MEDIA_URL is unused and files are only read
    # back through views that check who is asking.
    "default": {
        "BACKEND": "complaints.storage.PrivateStorage",
        "OPTIONS": {
            "location": env("EVIDENCE_ROOT", str(BASE_DIR / "private" / "evidence")),
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_FROM_SOURCE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_HANDLERS = [
    "complaints.uploads.EvidenceSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    # Not Django's own: that one spools large uploads to disk in clear (complaints/uploads.py).
    "complaints.uploads.EncryptedTemporaryFileUploadHandler",
]
# Where uploads over FILE_UPLOAD_MAX_MEMORY_SIZE are spooled, encrypted, while they stream in;
# unset, `spool/` inside EVIDENCE_ROOT. purge_abandoned_uploads deletes what a crash leaves there.
FILE_UPLOAD_TEMP_DIR = env("UPLOAD_SPOOL_DIR")
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Evidence upload limits, in megabytes.
EVIDENCE_MAX_FILE_MB = env_int("EVIDENCE_MAX_FILE_MB", default=20)
EVIDENCE_MAX_TOTAL_MB = env_int("EVIDENCE_MAX_TOTAL_MB", default=100)
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", default=20)
# Largest image accepted, in megapixels: decoding takes about 4 bytes a pixel, several times over.
EVIDENCE_MAX_IMAGE_MEGAPIXELS = env_int("EVIDENCE_MAX_IMAGE_MEGAPIXELS", default=50)
# Memory one image may take while it is decoded and re-encoded (complaints/evidence.py): images
# that would need more are refused before decoding, or for JPEG photos decoded at a smaller scale.
EVIDENCE_IMAGE_MEMORY_MB = env_int("EVIDENCE_IMAGE_MEMORY_MB", default=200)
# One request carries at most one file plus the form; refuse larger bodies before reading them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# Wrong receipts per bucket (a hashed, expiring key, never a stored address) per window.
RECEIPT_FAILURES_PER_SESSION = env_int("RECEIPT_FAILURES_PER_SESSION", default=5)
RECEIPT_FAILURES_PER_NETWORK = env_int("RECEIPT_FAILURES_PER_NETWORK", default=60)
RECEIPT_THROTTLE_WINDOW_MINUTES = env_int("RECEIPT_THROTTLE_WINDOW_MINUTES", default=15)
# Complaints sent per network bucket per hour before the form asks the sender to wait; generous,
# because after a public campaign a whole camp files from one shared address.
SUBMISSIONS_PER_NETWORK_PER_HOUR = env_int("SUBMISSIONS_PER_NETWORK_PER_HOUR", default=300)
# Evidence files (during filing and from the tracking page) per network bucket per hour.
EVIDENCE_UPLOADS_PER_NETWORK_PER_HOUR = env_int(
    "EVIDENCE_UPLOADS_PER_NETWORK_PER_HOUR", default=1000
)
# The Committee's deadlines (complaints/deadlines.py); time awaiting the complainant is not counted.
DEADLINE_TRIAGE_DAYS = env_int("DEADLINE_TRIAGE_DAYS", default=7)
DEADLINE_TRIAGE_URGENT_HOURS = env_int("DEADLINE_TRIAGE_URGENT_HOURS", default=48)
DEADLINE_ADMISSIBILITY_DAYS = env_int("DEADLINE_ADMISSIBILITY_DAYS", default=30)
# From admissibility to an adopted decision: three months, the time a rapporteur needs to ask
# questions, read the evidence and write reasons, and the chair to review them.
DEADLINE_DECISION_DAYS = env_int("DEADLINE_DECISION_DAYS", default=90)
# After a decision, the complainant may appeal for this long.
APPEAL_WINDOW_DAYS = env_int("APPEAL_WINDOW_DAYS", default=30)
# The Appeal Body's panels (monitoring/appeals/panels.py): size (odd), the respondent state, and
# the composition rules that policy may switch off.
APPEAL_PANEL_SIZE = env_int("APPEAL_PANEL_SIZE", default=3)
APPEAL_PANEL_RESPONDENT_STATE = env("APPEAL_PANEL_RESPONDENT_STATE", "RW")
APPEAL_PANEL_DIFFERENT_NATIONALITIES = env_bool(
    "APPEAL_PANEL_DIFFERENT_NATIONALITIES", default=True
)
APPEAL_PANEL_ONE_RESPONDENT_NATIONAL = env_bool(
    "APPEAL_PANEL_ONE_RESPONDENT_NATIONAL", default=True
)
APPEAL_PANEL_READER_OF_LANGUAGE = env_bool("APPEAL_PANEL_READER_OF_LANGUAGE", default=True)
# A decision of a panel needs, within its majority, a judge who is not a national of the
# respondent state (the safeguard of the Extraordinary Chambers in Cambodia).
APPEAL_MAJORITY_NEEDS_OTHER_NATIONAL = env_bool(
    "APPEAL_MAJORITY_NEEDS_OTHER_NATIONAL", default=True
)
# The Appeal Body's time limits, each counted from the step before it: a panel formed after the
# appeal is lodged, each judge's declaration after they are seated, the votes after the last
# declaration, the reasoned decision after the last vote; and the whole appeal from its lodging.
APPEAL_DEADLINE_PANEL_DAYS = env_int("APPEAL_DEADLINE_PANEL_DAYS", default=14)
APPEAL_DEADLINE_DECLARATION_DAYS = env_int("APPEAL_DEADLINE_DECLARATION_DAYS", default=7)
APPEAL_DEADLINE_VOTE_DAYS = env_int("APPEAL_DEADLINE_VOTE_DAYS", default=30)
APPEAL_DEADLINE_JUDGMENT_DAYS = env_int("APPEAL_DEADLINE_JUDGMENT_DAYS", default=14)
APPEAL_DEADLINE_DAYS = env_int("APPEAL_DEADLINE_DAYS", default=90)
# How long a closed or withdrawn case is kept before `manage.py retention_purge` deletes it.
RETENTION_DAYS_AFTER_CLOSURE = env_int("RETENTION_DAYS_AFTER_CLOSURE", default=3650)
# Which request header holds the client's address for throttling: REMOTE_ADDR when the site is
# reached directly, e.g. HTTP_X_REAL_IP behind a reverse proxy that sets it.
THROTTLE_CLIENT_HEADER = env("THROTTLE_CLIENT_HEADER", "REMOTE_ADDR")
# Where to report a vulnerability, published in /.well-known/security.txt (a mailto: or https: URI).
SECURITY_CONTACT = env("SECURITY_CONTACT", "mailto:security@allforrwanda.invalid")
# Where "Leave this site quickly" sends the visitor: an ordinary, harmless page.
LEAVE_SITE_URL = env("LEAVE_SITE_URL", "https://www.wikipedia.org/")
# How the public reaches the Committee without a receipt (the help page "Contact the
# Committee", the receipt page). Empty values are not shown.
COMMITTEE_CONTACT_EMAIL = env("COMMITTEE_CONTACT_EMAIL", "committee@allforrwanda.invalid")
COMMITTEE_CONTACT_PHONE = env("COMMITTEE_CONTACT_PHONE", "")
COMMITTEE_CONTACT_POST = env("COMMITTEE_CONTACT_POST", "")

# Countries most complainants live in or come from, listed first on the forms.
COUNTRIES_FIRST = ["RW", "CD", "UG", "BI", "TZ", "KE", "ZM", "MZ", "ZA", "BE", "FR", "GB"]
COUNTRIES_FIRST_BREAK = "──────────"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_AGE = (
    None  # ends with the browser, like the session cookie: a seized phone keeps neither
)
CSRF_FAILURE_VIEW = "complaints.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Not "no-referrer": with it, browsers send `Origin: null` on our own form posts and Django's
# CSRF origin check refuses every form. "same-origin" sends nothing to any other site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs never carry request addresses or user agents: Django's request logger only reaches the
# console at ERROR level and our formatters print the message alone.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"handlers": [], "propagate": False}},
}
