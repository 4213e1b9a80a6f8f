"""Slowing down guessers (django-axes): how many failed sign-ins or API-key guesses lock what,
and what a locked-out client is told.

A wrong password counts against the account and against the client's address, each on its
own: `LOGIN_FAILURE_LIMIT` failures lock either for `LOGIN_LOCKOUT_MINUTES`. A wrong API key
names no account, so it counts against the address only, with its own limit
(`API_KEY_FAILURE_LIMIT`). Admins unlock early under the admin site's *Access attempts* or with
`manage.py axes_reset_username <name>` / `axes_reset_ip <address>`.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

API_KEY_CREDENTIALS = {"api_key": True}


def is_api_key_guess(credentials: dict[str, Any] | None) -> bool:
    return bool(credentials and credentials.get("api_key"))


def lockout_parameters(request_or_attempt: Any, credentials: dict[str, Any] | None) -> list[str]:
    """An API-key guess is counted by address; a sign-in by account and by address apart."""
    if is_api_key_guess(credentials):
        return ["ip_address"]
    return ["username", "ip_address"]


def failure_limit(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    if is_api_key_guess(credentials):
        return settings.API_KEY_FAILURE_LIMIT
    return settings.LOGIN_FAILURE_LIMIT


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with Retry-After: `{"detail": ...}` on the API, the sign-in page's message elsewhere."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    retry_after = str(minutes * 60)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "detail": f"Too many requests with a wrong API key came from your address. "
                f"Try again in {minutes} minutes."
            },
            status=429,
        )
    else:
        until = timezone.localtime() + settings.AXES_COOLOFF_TIME
        response = render(
            request,
            "registration/locked_out.html",
            {"minutes": minutes, "until": until},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response
