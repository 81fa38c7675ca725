"""Settings for the sample legacy Django REST Framework app.

Everything lives in this one module. No database is used: the app only talks
to Redis through django-redis, exactly like the legacy code it stands in for.
"""
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

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
# legacy one; only where the server is can be configured:
#   REDIS_URL_BASE=redis://127.0.0.1:6379        one server (the default)
#   REDIS_SENTINELS=127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381
#   REDIS_SENTINEL_SERVICE=mymaster              the master those sentinels name
# With REDIS_SENTINELS set, REDIS_URL_BASE is not used: the app asks the
# sentinels which node is the master, again at most once a second
# (legacyapp/sentinel.py), so that within a second of a failover it writes to
# and reads from the new master, as the gateway does.
REDIS_URL_BASE = os.environ.get("REDIS_URL_BASE", "redis://127.0.0.1:6379").rstrip("/")


def _sentinel(address):
    host, sep, port = address.strip().rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ImproperlyConfigured(
            f"REDIS_SENTINELS: {address.strip()!r} is not host:port"
        )
    return (host.strip("[]"), int(port))


REDIS_SENTINELS = [
    _sentinel(address) for address in os.environ.get("REDIS_SENTINELS", "").split(",") if address.strip()
]
REDIS_SENTINEL_SERVICE = os.environ.get("REDIS_SENTINEL_SERVICE", "").strip()
if REDIS_SENTINELS and not REDIS_SENTINEL_SERVICE:
    raise ImproperlyConfigured(
        "REDIS_SENTINELS is set but REDIS_SENTINEL_SERVICE (the master's name, e.g. mymaster) is not"
    )


def _redis_cache(db):
    if not REDIS_SENTINELS:
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"{REDIS_URL_BASE}/{db}",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
            },
        }
    # django-redis 5.2 (Debian 12): the URL's host is the service name.
    # SentinelClient opens the master (and a replica pool that the raw
    # get_redis_connection() used by the views never reads from).
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://{REDIS_SENTINEL_SERVICE}/{db}",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.SentinelClient",
            "SENTINELS": REDIS_SENTINELS,
            "CONNECTION_POOL_CLASS": "legacyapp.sentinel.MasterFollowingConnectionPool",
            # A sentinel that does not answer within a second is skipped for
            # the next one, instead of holding the request.
            "SENTINEL_KWARGS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        },
    }


if REDIS_SENTINELS:
    # django-redis 5.2 picks the connection factory for every cache at once.
    DJANGO_REDIS_CONNECTION_FACTORY = "django_redis.pool.SentinelConnectionFactory"

CACHES = {
    "default": _redis_cache(0),  # 缓存业务
    "session": _redis_cache(1),  # 缓存session
    "verify_codes": _redis_cache(2),  # 缓存验证码
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
