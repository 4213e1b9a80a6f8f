"""Project-wide views: the health check that load balancers and containers poll."""

from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """Answers without touching the database, so it says whether the process serves."""
    return JsonResponse({"status": "ok"})
