"""Settings for joinedcare, read from the environment.

`JOINEDCARE_ENV=production` turns on the production checks: the process refuses to
start with debug on, without its own secret key or without its own pseudonym key.
Anywhere else, missing secrets are generated once into `var/secrets.json` (never in
the repository), so a first `make demo` needs no set-up.
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JOINEDCARE_VAR_DIR", BASE_DIR / "var"))
ENVIRONMENT = os.environ.get("JOINEDCARE_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
INSECURE_KEY_PREFIX = "django-insecure"


def _local_secret(name: str, nbytes: int = 48) -> str:
    """A secret for a non-production machine, made once and kept in var/secrets.json."""
    path = VAR_DIR / "secrets.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = secrets.token_urlsafe(nbytes)
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored[name]


def _secret(env_name: str, local_name: str) -> str:
    value = os.environ.get(env_name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{env_name} must be set in production.")
    return _local_secret(local_name)


DEBUG = os.environ.get("JOINEDCARE_DEBUG", "0") == "1"
SECRET_KEY = _secret("JOINEDCARE_SECRET_KEY", "secret_key")
# The key of the keyed-hash pseudonym: the only identifier analytics ever sees.
PSEUDONYM_KEY = _secret("JOINEDCARE_PSEUDONYM_KEY", "pseudonym_key")

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("JOINEDCARE_DEBUG must be off in production.")
    if SECRET_KEY.startswith(INSECURE_KEY_PREFIX) or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "JOINEDCARE_SECRET_KEY is a default or too short (at least 50 characters)."
        )

ALLOWED_HOSTS = [
    h for h in os.environ.get("JOINEDCARE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("JOINEDCARE_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "joinedcare.home",
    "joinedcare.organisations",
    "joinedcare.staff",
    "joinedcare.people",
    "joinedcare.access",
    "joinedcare.audit",
    "joinedcare.caselists",
    "joinedcare.demo",
    "joinedcare.careplans",
    "joinedcare.meetings",
    "joinedcare.referrals",
    "joinedcare.services",
    "joinedcare.discharge",
    "joinedcare.families",
    "joinedcare.outcomes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "joinedcare.home.middleware.security_headers",
    "joinedcare.home.middleware.error_titles",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "joinedcare.urls"
WSGI_APPLICATION = "joinedcare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "joinedcare.home.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'joinedcare.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers carry on while the demo loader or a form writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "staff.StaffUser"
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
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"

# Sign-in throttling: this many failures for one username within the window locks it
# for the window.
SIGN_IN_MAX_FAILURES = int(os.environ.get("JOINEDCARE_SIGN_IN_MAX_FAILURES", "5"))
SIGN_IN_LOCK_MINUTES = int(os.environ.get("JOINEDCARE_SIGN_IN_LOCK_MINUTES", "15"))
# Sessions end after 30 idle minutes, and with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("JOINEDCARE_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("JOINEDCARE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Break glass: how long emergency access to one person's record lasts.
BREAK_GLASS_MINUTES = int(os.environ.get("JOINEDCARE_BREAK_GLASS_MINUTES", "240"))

# Where the person page reads known conditions and recent activity (Parquet files in
# the ingest layout; Demo County writes them here).
RECORDS_DIR = Path(os.environ.get("JOINEDCARE_RECORDS_DIR", VAR_DIR / "demo" / "extract"))
# The analytics store (pseudonymised snapshots) and stratification runs.
ANALYTICS_DIR = Path(os.environ.get("JOINEDCARE_ANALYTICS_DIR", VAR_DIR / "analytics"))
RUNS_DIR = Path(os.environ.get("JOINEDCARE_RUNS_DIR", VAR_DIR / "runs"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION or os.environ.get("JOINEDCARE_MANIFEST_STATIC") == "1"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not (PRODUCTION or os.environ.get("JOINEDCARE_MANIFEST_STATIC") == "1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "joinedcare.home.logging.RedactIdentifiers"},
        "refusals": {"()": "joinedcare.home.logging.RefusalsWithoutTraceback"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("JOINEDCARE_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"filters": ["refusals"]}},
}
