"""Settings for the sample legacy Django REST Framework app.

Everything lives in this one module. No database is used: the app only talks
to Redis through django-redis, exactly like the legacy code it stands in for.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "dev-only-insecure-legacy-app-secret-key-change-me"
)
DEBUG = False
# Comma-separated, e.g. ALLOWED_HOSTS=sms.example.test,127.0.0.1; default any.
# Behind the gateway the app sees the client's Host (RequestHeaderOriginalHost).
ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("ALLOWED_HOSTS", "*").split(",") if host.strip()
]

INSTALLED_APPS = [
    "rest_framework",
    "verifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "legacyapp.urls"
WSGI_APPLICATION = "legacyapp.wsgi.application"

# No relational database: nothing here needs models or migrations.
DATABASES = {}

USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "zh-hans"

# Redis. The layout (db 0 default, db 1 session, db 2 verify_codes) is the
# legacy one; only the server address is configurable so tests can use their
# own redis-server on another port.
REDIS_URL_BASE = os.environ.get("REDIS_URL_BASE", "redis://127.0.0.1:6379").rstrip("/")

CACHES = {
    "default": {  # 缓存业务
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"{REDIS_URL_BASE}/0",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
        }
    },
    "session": {  # 缓存session
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"{REDIS_URL_BASE}/1",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
        }
    },
    "verify_codes": {  # 缓存验证码
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"{REDIS_URL_BASE}/2",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
        }
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_CACHE_ALIAS = "session"

# JSON only (DRF's JSONRenderer: compact, UTF-8, no \u escapes). No auth
# backends, so django.contrib.auth is not needed and no CSRF check applies.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        "mask_mobile": {"()": "legacyapp.logfilters.MaskMobileFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_mobile"],
        },
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "verifications": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
