"""Django settings, read from the environment (see docs/operations.md).

``DATABASE_URL`` chooses the database (default: SQLite under ``./var/``); ``SPY_SECRET_KEY`` and
``SPY_ENCRYPTION_KEYS`` are required outside demo mode — a missing one is reported by the system
checks ``spy.E001``/``spy.E002`` at start-up.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from spysystem.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("SPY_VAR_DIR", str(Path.cwd() / "var")))

DEMO = env_bool("SPY_DEMO")
DEBUG = env_bool("SPY_DEBUG")
SECRET_KEY = env_str("SPY_SECRET_KEY", "")
SPY_ENCRYPTION_KEYS = env_list("SPY_ENCRYPTION_KEYS")
ALLOWED_HOSTS = env_list("SPY_ALLOWED_HOSTS") or ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = env_list("SPY_CSRF_TRUSTED_ORIGINS")
SPY_BASE_URL = env_str("SPY_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "spysystem.web",
    "spysystem.finance",
    "spysystem.watch",
    "spysystem.mail",
    "spysystem.api",
    "spysystem.audit",
    "spysystem.routines",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "spysystem.urls"
WSGI_APPLICATION = "spysystem.wsgi.application"

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
                "spysystem.web.context.menu",
            ],
        },
    },
]


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout instead of
        # failing with "database is locked" when a reader upgrades; WAL lets readers run alongside.
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'spy.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)")]
TIME_ZONE = "America/Sao_Paulo"
EMAIL_USE_LOCALTIME = True  # Date headers in São Paulo time, as recipients read them
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_str("SPY_STATIC_ROOT")  # only for `collectstatic`; WhiteNoise serves from apps
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SPY_SECURE_COOKIES", default=not (DEBUG or DEMO))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = int(env_str("SPY_HSTS_SECONDS", "0"))  # e.g. 31536000 once https works
SECURE_SSL_REDIRECT = env_bool("SPY_SSL_REDIRECT")
if env_bool("SPY_BEHIND_HTTPS_PROXY"):  # the proxy must overwrite X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "spysystem.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "spysystem.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Spy System API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Delivery engine knobs (seconds unless stated).
SPY_WORKER_POLL = float(env_str("SPY_WORKER_POLL", "0.25"))
SPY_LEASE_SECONDS = int(env_str("SPY_LEASE_SECONDS", "120"))
SPY_MAX_ATTEMPTS = int(env_str("SPY_MAX_ATTEMPTS", "12"))
SPY_RETRY_BASE = float(env_str("SPY_RETRY_BASE", "30"))
SPY_RETRY_CAP = float(env_str("SPY_RETRY_CAP", "3600"))
SPY_MAX_AGE_HOURS = int(env_str("SPY_MAX_AGE_HOURS", "72"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "spysystem": {
            "handlers": ["console"],
            "level": env_str("SPY_LOG_LEVEL", "INFO"),
            "propagate": False,
        }
    },
}
