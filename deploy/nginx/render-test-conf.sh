#!/bin/sh
# Fill nginx-test.conf.template and write RUN_DIR/nginx.conf.
#   deploy/nginx/render-test-conf.sh LISTEN_PORT RUN_DIR UPSTREAM_PORT...
# Example:
#   deploy/nginx/render-test-conf.sh 8080 /tmp/ngx 5001 5002
#   nginx -e /tmp/ngx/error.log -c /tmp/ngx/nginx.conf -p /tmp/ngx/
#   nginx -e /tmp/ngx/error.log -c /tmp/ngx/nginx.conf -p /tmp/ngx/ -s quit
set -eu
if [ $# -lt 3 ]; then
    echo "usage: $0 LISTEN_PORT RUN_DIR UPSTREAM_PORT..." >&2
    exit 2
fi
listen_port=$1
mkdir -p "$2"
run_dir=$(cd "$2" && pwd)
shift 2
upstreams=""
for port in "$@"; do
    upstreams="${upstreams}server 127.0.0.1:${port} max_fails=3 fail_timeout=10s; "
done
template="$(cd "$(dirname "$0")" && pwd)/nginx-test.conf.template"
sed -e "s|@LISTEN_PORT@|${listen_port}|g" \
    -e "s|@RUN_DIR@|${run_dir}|g" \
    -e "s|@UPSTREAMS@|${upstreams}|g" \
    "$template" > "$run_dir/nginx.conf"
echo "$run_dir/nginx.conf"
