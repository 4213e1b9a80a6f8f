"""Project-wide views: the health checks that load balancers, containers and operators poll."""

import logging
import os
from pathlib import Path

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

# A readiness check answers within a couple of seconds even when a dependency hangs.
CHECK_TIMEOUT_SECONDS = 1.0


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: answers without touching the database or the broker, so it says only whether
    the process serves. Restart the process when this fails, not when a dependency is down."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 503 while the database or the broker cannot be reached, so a load balancer
    sends traffic elsewhere until they are back."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(checks.values())
    response = JsonResponse(
        {
            "status": "ready" if ready else "unavailable",
            "checks": {name: "ok" if ok else "unreachable" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )
    if not ready:
        response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Readiness: database unreachable: %s", exc)
        # A connection broken by the outage is not reused by the next check.
        connection.close()
        return False
    return True


def _broker_ok() -> bool:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        client = redis.Redis.from_url(
            url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        except redis.RedisError as exc:
            logger.warning("Readiness: broker unreachable: %s", exc)
            return False
        finally:
            client.close()
        return True
    # The embedded file queue: ready while its folder can be written.
    folder = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")))
    return folder.is_dir() and os.access(folder, os.W_OK)
