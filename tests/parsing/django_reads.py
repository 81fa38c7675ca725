#!/usr/bin/python3
"""What Django 3.2 / DRF 3.14 (as installed) read as `mobile` from a request, the way the sample app's verify view
reads it: str(request.data.get("mobile", "")).strip() for the body, request.GET.get("mobile") for the query.

Reads JSON lines from stdin: {"content_type": str|null, "body": base64, "query": str, "headers": [[name, value]...]}
and writes one JSON line per case: {"data": ..., "query": ..., "error": ...}. Used to compare the gate's reading
(Gateway.Middleware/Gate/RequestValueReader.cs) with the app's on the same bytes; see docs/request-reading.md.
"""
import base64
import io
import json
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False, SECRET_KEY="x", ALLOWED_HOSTS=["*"], INSTALLED_APPS=["rest_framework"],
    REST_FRAMEWORK={"UNAUTHENTICATED_USER": None},
)
django.setup()

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser  # noqa: E402
from rest_framework.request import Request  # noqa: E402


def printable(value):
    """A lone surrogate cannot be written as JSON that .NET reads back: escape it (it never equals a mobile)."""
    return None if value is None else value.encode("utf-8", "backslashreplace").decode("utf-8")


def read(case):
    body = base64.b64decode(case.get("body") or "")
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/", "SCRIPT_NAME": "", "QUERY_STRING": case.get("query", ""),
        "SERVER_NAME": "t", "SERVER_PORT": "80", "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
        "CONTENT_LENGTH": str(len(body)),
    }
    if case.get("content_type") is not None:
        environ["CONTENT_TYPE"] = case["content_type"]
    for name, value in case.get("headers", []):
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = environ[key] + "," + value if key in environ else value
    request = Request(WSGIRequest(environ), parsers=[JSONParser(), FormParser(), MultiPartParser()])
    out = {"query": printable(request.query_params.get("mobile"))}
    try:
        out["data"] = printable(str(request.data.get("mobile", "")).strip())
    except Exception as e:  # noqa: BLE001 - the app would answer an error: nothing checked
        out["error"] = type(e).__name__
    return out


for line in sys.stdin:
    print(json.dumps(read(json.loads(line)), ensure_ascii=True), flush=True)
