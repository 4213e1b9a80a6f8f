"""The webhook action: a signed JSON POST to the admin's URL, retried when the receiver is
briefly unwell.

What the receiver gets:

    POST <url>
    Content-Type: application/json
    Idempotency-Key: run-<run id>-action-<index>   (the same on every retry: dedupe on it)
    X-Crm-Event: deal.stage_changed
    X-Crm-Timestamp: 1767225600                    (Unix seconds of this attempt)
    X-Crm-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the signing secret>
    X-Crm-Attempt: 1

    {"id": "<idempotency key>", "automation": {"id", "name"}, "run_id", "action_index",
     "event": {"id", "type", "cascade_depth", "created_at", "payload"}, "data": {...}}

Receivers should check the signature, refuse timestamps more than five minutes old, and
treat a repeated Idempotency-Key as already handled: a delivery whose outcome we could not
learn (a timeout, a worker that stopped) is sent again with the same key.

Timing follows common practice: a short connect timeout, a bounded total time per attempt,
retries with exponential backoff for timeouts, connection errors, 408, 429 and 5xx (honouring
Retry-After up to a cap), and no retry for other 4xx answers.
"""

import hashlib
import hmac
import json
import time
from email.utils import parsedate_to_datetime
from typing import Annotated, Any

import httpx
from django import forms
from django.conf import settings
from django.utils import timezone
from pydantic import Field, field_validator

from automations.actions.base import (
    Action,
    ActionCall,
    ActionError,
    Delivery,
    Strict,
    TransientActionError,
)
from automations.actions.fields import WIDE, area
from automations.options import WorkspaceOptions
from config.outbound import OutboundAddressRefused, outbound_client

RESPONSE_EXCERPT = 1000
RETRYABLE_STATUS = {408, 429}


class WebhookParams(Strict):
    url: Annotated[str, Field(min_length=8, max_length=2000)]
    # Extra fields for the receiver, each a text with {{ variables }}.
    data: Annotated[dict[str, Annotated[str, Field(max_length=2000)]], Field(max_length=30)] = {}

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("Give an http:// or https:// address.")
        return value

    @field_validator("data")
    @classmethod
    def _short_keys(cls, value: dict[str, str]) -> dict[str, str]:
        if any(not key or len(key) > 60 for key in value):
            raise ValueError("Field names are 1 to 60 characters.")
        return value


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


class CallWebhook(Action):
    type = "call_webhook"
    label = "Call a webhook"
    Params = WebhookParams
    delivery = Delivery.IDEMPOTENT_RETRY

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {
            "url": forms.URLField(
                max_length=2000,
                label="URL",
                assume_scheme="https",
                widget=forms.URLInput(attrs={"placeholder": "https://", **WIDE}),
            ),
            "data": area(
                "Extra fields (one “name: value” per line)",
                required=False,
                rows=2,
                max_length=10_000,
            ),
        }

    def to_form(self, params: dict[str, Any]) -> dict[str, Any]:
        data = params.get("data") or {}
        return {**params, "data": "\n".join(f"{key}: {value}" for key, value in data.items())}

    def from_form(self, values: dict[str, Any]) -> dict[str, Any]:
        return super().from_form({**values, "data": parse_pairs(values.get("data") or "")})

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        return f"Call the webhook {params.get('url')}"

    def perform(self, call: ActionCall) -> dict[str, Any]:
        body = self.body(call)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "SalesCRM-Automations/1.0",
            "Idempotency-Key": call.idempotency_key,
            "X-Crm-Event": call.context.event_type,
            "X-Crm-Timestamp": str(timestamp),
            "X-Crm-Signature": sign(
                secret=call.automation.signing_secret, timestamp=timestamp, body=body
            ),
            "X-Crm-Attempt": str(call.attempt),
        }
        total = settings.AUTOMATION_WEBHOOK_TIMEOUT_SECONDS
        timeout = httpx.Timeout(total, connect=settings.AUTOMATION_WEBHOOK_CONNECT_TIMEOUT_SECONDS)
        deadline = time.monotonic() + total
        started = time.monotonic()
        try:
            with (
                outbound_client(timeout=timeout, max_redirects=3) as client,
                client.stream("POST", call.params["url"], content=body, headers=headers) as reply,
            ):
                excerpt = _read_within(reply, deadline)
        except OutboundAddressRefused as exc:
            raise ActionError(exc.message) from exc
        except httpx.TooManyRedirects as exc:
            raise ActionError("The webhook address redirects too many times.") from exc
        except httpx.TimeoutException as exc:
            raise TransientActionError(f"The webhook did not answer within {total} s.") from exc
        except httpx.TransportError as exc:
            raise TransientActionError(f"Could not reach the webhook: {exc}") from exc
        result = {
            "status_code": reply.status_code,
            "response": excerpt,
            "elapsed_ms": round((time.monotonic() - started) * 1000),
        }
        if reply.is_success:
            return result
        if reply.status_code in RETRYABLE_STATUS or reply.status_code >= 500:
            raise TransientActionError(
                f"The webhook answered {reply.status_code}.",
                retry_after=retry_after_seconds(reply.headers.get("Retry-After")),
            )
        raise ActionError(f"The webhook answered {reply.status_code}: {excerpt[:200]}")

    def body(self, call: ActionCall) -> bytes:
        context = call.context
        document = {
            "id": call.idempotency_key,
            "automation": {"id": call.automation.pk, "name": call.automation.name},
            "run_id": call.execution_id,
            "action_index": call.action_index,
            "event": {
                "id": call.event.pk,
                "type": call.event.event_type,
                "cascade_depth": call.event.cascade_depth,
                "created_at": call.event.created_at.isoformat(),
                "payload": call.event.payload,
            },
            "data": {key: context.render(value) for key, value in call.params["data"].items()},
        }
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def parse_pairs(text: str) -> dict[str, str]:
    """'plan: {{contact.custom_fields.plan}}' lines into a dict; lines without ':' are skipped."""
    pairs = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            pairs[key.strip()] = value.strip()
    return pairs


def retry_after_seconds(header: str | None) -> float | None:
    """Retry-After as seconds (from a number or an HTTP date), None when absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def _read_within(reply: httpx.Response, deadline: float) -> str:
    """The start of the answer; a receiver that dribbles bytes past the deadline times out."""
    received = b""
    for chunk in reply.iter_bytes():
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("The webhook took too long to answer.")
        if len(received) < RESPONSE_EXCERPT:
            received += chunk[: RESPONSE_EXCERPT - len(received)]
    return received.decode("utf-8", errors="replace")
