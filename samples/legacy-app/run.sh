#!/bin/sh
# Run the sample legacy app with gunicorn on 127.0.0.1:PORT.
#   samples/legacy-app/run.sh 8000
# Env: WORKERS (default 2), REDIS_URL_BASE (default redis://127.0.0.1:6379),
#      or REDIS_SENTINELS (host:port,...) with REDIS_SENTINEL_SERVICE (e.g. mymaster),
#      DJANGO_SECRET_KEY, BIND_HOST (default 127.0.0.1), ALLOWED_HOSTS (comma-separated, default *).
# No access log on purpose: request paths carry full mobile numbers
# (/sms_codes/<mobile>/); the app logs masked numbers only.
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 PORT" >&2
    exit 2
fi
PORT=$1
DIR=$(cd "$(dirname "$0")" && pwd)
export DJANGO_SETTINGS_MODULE=legacyapp.settings
exec /usr/bin/gunicorn \
    --bind "${BIND_HOST:-127.0.0.1}:$PORT" \
    --workers "${WORKERS:-2}" \
    --chdir "$DIR" \
    legacyapp.wsgi
