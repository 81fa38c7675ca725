"""Plain, ungated endpoints used to prove that the gateway proxies unchanged."""
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

# Compact UTF-8 JSON, same shape as DRF's JSONRenderer output.
_JSON = {"separators": (",", ":"), "ensure_ascii": False}


@csrf_exempt
def hello(request):
    """Echo what the app received (any method)."""
    return JsonResponse(
        {
            "method": request.method,
            "path": request.path,
            "query_string": request.META.get("QUERY_STRING", ""),
            "headers": {
                "host": request.META.get("HTTP_HOST"),
                "x-forwarded-for": request.META.get("HTTP_X_FORWARDED_FOR"),
                "x-forwarded-proto": request.META.get("HTTP_X_FORWARDED_PROTO"),
                "x-forwarded-host": request.META.get("HTTP_X_FORWARDED_HOST"),
            },
        },
        json_dumps_params=_JSON,
    )


def healthz(request):
    return JsonResponse({"status": "ok"}, json_dumps_params=_JSON)
