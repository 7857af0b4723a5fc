"""Django settings for Raschet.

Everything that differs between installations comes from the environment:
``RASCHET_DATABASE_URL`` (default: an SQLite file under ``./var``), ``RASCHET_SECRET_KEY``,
``RASCHET_DEBUG`` and ``RASCHET_ALLOWED_HOSTS``.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RASCHET_VAR_DIR", Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("RASCHET_SECRET_KEY", "raschet-development-only-key-change-me-in-production")
DEBUG = os.environ.get("RASCHET_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("RASCHET_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "raschet.housing",
    "raschet.tariffs",
    "raschet.metering",
    "raschet.billing",
    "raschet.payments",
    "raschet.claims",
    "raschet.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "raschet.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

LOGIN_URL = "admin:login"
