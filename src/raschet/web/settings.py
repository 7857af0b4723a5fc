"""Django settings for Raschet.

Everything that differs between installations comes from the environment:
``RASCHET_DATABASE_URL`` (default: an SQLite file under ``./var``), ``RASCHET_SECRET_KEY``,
``RASCHET_DEBUG``, ``RASCHET_ALLOWED_HOSTS``, ``RASCHET_VAR_DIR``, ``RASCHET_FUTURE_DAYS``.

Safe by default: debug is off (``raschet demo`` turns it on for itself); the secret key is generated
once per installation and kept in ``var/secret_key`` (mode 600) unless ``RASCHET_SECRET_KEY`` gives
one; outside debug the cookies are secure, HTTP is redirected to HTTPS and HSTS is sent, so
``raschet check --deploy`` is clean. Behind a TLS-terminating proxy set
``RASCHET_PROXY_SSL_HEADER=1`` (it sends ``X-Forwarded-Proto``); ``RASCHET_SSL_REDIRECT=0`` and
``RASCHET_HSTS_SECONDS=0`` relax the rest where a proxy does it.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RASCHET_VAR_DIR", Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


def _installation_secret() -> str:
    """The installation's own key: created once (atomically, readable by its owner only), then read."""
    path = VAR_DIR / "secret_key"
    if not path.exists():  # written aside, then linked: a second process never reads a half-written key
        draft = VAR_DIR / f".secret_key.{os.getpid()}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


SECRET_KEY = os.environ.get("RASCHET_SECRET_KEY") or _installation_secret()
DEBUG = _flag("RASCHET_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("RASCHET_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
RASCHET_FUTURE_DAYS = int(os.environ.get("RASCHET_FUTURE_DAYS", "3"))
# requests per caller (token, key, session) of the REST API: N/s, N/m, N/h or N/d (raschet.api.throttle)
RASCHET_API_RATE = os.environ.get("RASCHET_API_RATE", "600/m")

# RASCHET_SECURE_COOKIES=0 only for plain HTTP on the loopback (the demo under its production server)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("RASCHET_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = _flag("RASCHET_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("RASCHET_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("RASCHET_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _flag("RASCHET_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if _flag("RASCHET_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # Swagger UI from ninja's own static files: /api/v1/docs works offline
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "raschet.access",
    "raschet.housing",
    "raschet.tariffs",
    "raschet.metering",
    "raschet.billing",
    "raschet.payments",
    "raschet.documents",
    "raschet.claims",
    "raschet.controller",
    "raschet.api",
    "raschet.portal",
    "raschet.web",
    "raschet.workplace",
    "auditlog",  # the audit trail of the models that matter (raschet.backoffice.audit)
    "raschet.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "raschet.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "raschet.workplace.middleware.LoginRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "raschet.access.middleware.ActingUserMiddleware",
    "auditlog.middleware.AuditlogMiddleware",  # records the signed-in user on every audited change
    "raschet.access.decorators.ForbiddenProblemMiddleware",  # a service's refusal → the Russian 403 page
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "raschet.web.urls"

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
                "raschet.workplace.context_processors.workplace",
            ],
        },
    },
]

WSGI_APPLICATION = "raschet.web.wsgi.application"


def _database_config() -> dict:
    default_url = f"sqlite:///{VAR_DIR / 'raschet.sqlite3'}"
    config = dj_database_url.parse(os.environ.get("RASCHET_DATABASE_URL", default_url), conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while a long import or run writes.
        config["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                             "transaction_mode": "IMMEDIATE", "timeout": 30}
        config["CONN_MAX_AGE"] = 0
        # tests use a file, not memory, so a subprocess (the CLI under test) can see their data
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # JIT compiles each large query for ~0.1-0.5 s; a month's reads are many index-driven queries
        # per unit, which it only slows down. Set RASCHET_PG_OPTIONS to override.
        config.setdefault("OPTIONS", {})["options"] = os.environ.get("RASCHET_PG_OPTIONS", "-c jit=off")
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: the database queue, worked by `raschet worker`; RASCHET_TASKS=immediate runs
# tasks in the calling process (tests, small installations without a worker).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
                     if os.environ.get("RASCHET_TASKS") == "immediate" else "django_tasks_db.DatabaseBackend"}}

# Sign-in with rate-limited attempts: 5 failures per user name and address, then a 15-minute wait.
AUTHENTICATION_BACKENDS = ["raschet.access.signin.RateLimitedBackend"]
AUDITLOG_DISABLE_REMOTE_ADDR = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"errors": {"class": "logging.FileHandler", "filename": str(VAR_DIR / "errors.log"),
                            "level": "ERROR", "delay": True, "encoding": "utf-8"}},
    "loggers": {"raschet": {"handlers": ["errors"], "level": "ERROR"},
                "django.request": {"handlers": ["errors"], "level": "ERROR"}},
}

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves it (empty until `collectstatic`)
# Compressed, content-hashed, cached for a year once `collectstatic` ran (raschet.workplace.storage).
STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "raschet.workplace.storage.StaticStorage"}}
WHITENOISE_USE_FINDERS = DEBUG  # in debug the files are served as they are in the source tree

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Reachable without signing in (path prefixes; raschet.workplace.middleware): everything else needs a
# session, and the API under RASCHET_API_PREFIX authenticates each call itself (session or key).
# Open to a visitor who has not signed in as staff: static files, the health check, and the
# subscriber's personal account, which signs its subscribers in itself (every page of it but sign-up,
# confirmation, sign-in and password reset needs its own sign-in, and shows only linked accounts).
RASCHET_PUBLIC_PATHS = ["/" + STATIC_URL, "/health/", "/lk/"]
RASCHET_API_PREFIX = "/api/v1/"

# Mail (payment documents by e-mail): Django's SMTP backend on RASCHET_EMAIL_HOST:RASCHET_EMAIL_PORT.
EMAIL_BACKEND = os.environ.get("RASCHET_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("RASCHET_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("RASCHET_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("RASCHET_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("RASCHET_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("RASCHET_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("RASCHET_EMAIL_FROM", "documents@raschet.invalid")

# The personal account (/lk/): the key of the sign-up codes printed on documents (default: derived
# from SECRET_KEY; set it once and keep it, a new key changes every printed code) and the payment
# gateway ("test" pays without money and is the default only in debug; empty turns payment off).
RASCHET_SIGNUP_KEY = os.environ.get("RASCHET_SIGNUP_KEY", "")
RASCHET_PAYMENT_GATEWAY = os.environ.get("RASCHET_PAYMENT_GATEWAY", "test" if DEBUG else "")
