from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: 200 when the database answers, 503 naming what failed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 (any database failure means "not ready")
        return JsonResponse({"status": "error", "database": "unreachable", "error": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
