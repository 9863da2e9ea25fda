from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from archivox.core.health import database_check, queue_check
from archivox.core.selectors import worker_last_seen


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; also reports the queue and when a worker last ran."""
    try:
        database_check()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    try:
        queue_check()
        queue = "ok"
    except Exception:  # any failure of Redis is reported, not raised: the site still serves
        queue = "unreachable"
    seen = worker_last_seen()
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "queue": queue,
            "worker_last_seen": seen.isoformat() if seen else None,
        }
    )
