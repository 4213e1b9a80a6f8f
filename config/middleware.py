"""Answering while the database is unreachable: 503 with Retry-After, never a 500.

A request that meets a database it cannot reach (a restart, a failover, a network cut) is
answered 503 with `Retry-After`: JSON `{"detail": ...}` under /api/, the friendly page elsewhere.
Load balancers and API clients then know to come back, and the log says what happened without a
traceback per request. The middleware catches what views raise; `server_error` (the 500
handler) catches what the other middleware raise, such as a session saved after the view.
"""

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

# Connection refused or lost, a server shutting down, a failover in progress: all pass.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
API_PREFIX = "/api/"


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exc)
    retry_after = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS)
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(
            {"detail": "The service is briefly unavailable. Please try again shortly."},
            status=503,
        )
    else:
        # Rendered without the request: the context processors would ask the database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return unavailable_response(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a database outage met outside a view is a 503 all the same."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_UNAVAILABLE):
        return unavailable_response(request, exc)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Something went wrong on our side."}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())
