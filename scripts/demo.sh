#!/usr/bin/env bash
# Runs the gateway on http://127.0.0.1:5000 with the demo SMS provider on http://127.0.0.1:5100, which prints the
# SMS it would send. Without SmsCodeGate__Redis the gateway uses its in-process store; set it (for example
# SmsCodeGate__Redis=127.0.0.1:6379) to use Redis. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build Gateway.sln -c Release -nologo -v quiet
dotnet samples/DemoSmsProvider/bin/Release/net10.0/DemoSmsProvider.dll --urls http://127.0.0.1:5100 &
provider=$!
trap 'kill $provider 2>/dev/null || true' EXIT

cat <<'TEXT'

  Gateway:       http://127.0.0.1:5000   (routes and policies: yarp.json)
  SMS provider:  http://127.0.0.1:5100   (demo: prints what it would send)

  Try, from another terminal:
    curl -i http://127.0.0.1:5000/sms_codes/13800138000/   # 200 {"message":"ok"}; the provider prints the code
    curl -i http://127.0.0.1:5000/sms_codes/13800138000/   # 400 {"message":"手机频繁发送短信"}, Retry-After
    curl -i http://127.0.0.1:5000/sms_codes/12345/         # 404, not a mobile
    curl -i http://127.0.0.1:5000/readyz                   # 200 Healthy

TEXT
dotnet Gateway/bin/Release/net10.0/Gateway.dll --config "$PWD/yarp.json" --urls http://127.0.0.1:5000 "$@"
