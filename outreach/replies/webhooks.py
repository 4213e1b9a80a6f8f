"""The public inbound endpoints: raw RFC 5322 delivery from an MTA (the workspace named by the
secret in the URL) and Mailgun's inbound webhook through django-anymail (the signature checked,
the workspace named by the recipient address). No session, no CSRF: each answers a clear 4xx."""

import logging

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.datastructures import MultiValueDictKeyError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from outreach.models import InboundMailbox, Reply
from outreach.replies import selectors
from outreach.replies.inbound.message import (
    InboundMessage,
    MalformedMessage,
    MessageTooLarge,
    from_mime,
    parse_raw,
)
from outreach.replies.services import intake

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def raw_delivery(request: HttpRequest, secret: str) -> JsonResponse:
    """POST the message itself as the body, e.g. from Postfix:
    `curl --data-binary @- -H 'Content-Type: message/rfc822' <url>`."""
    mailbox = selectors.mailbox_for_secret(secret)
    if mailbox is None:
        return _error(404, "No inbound mailbox has this address.")
    try:
        raw = _read_capped(request)
        message = parse_raw(raw)
    except ApplicationError as exc:
        return _error(exc.status_code, exc.message)
    return _receive(mailbox, message, Reply.Source.RAW)


class MailgunInboundView(MailgunInboundWebhookView):
    """Mailgun's inbound route (forward to this URL, with or without "mime" in it)."""

    def __init__(self, **kwargs):
        # Without a signing key anymail refuses to start; we answer 404 instead, below.
        kwargs.setdefault("webhook_signing_key", settings.ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"])
        super().__init__(**kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        if not self.webhook_signing_key:
            return _error(404, "Mailgun inbound is not configured (MAILGUN_WEBHOOK_SIGNING_KEY).")
        if _declared_length(request) > settings.REPLIES_MAX_MESSAGE_BYTES * 2:
            return _error(413, "The message is too large.")
        try:
            self.run_validators(request)
        except AnymailWebhookValidationFailure:
            return _error(403, "The Mailgun signature is missing or wrong.")
        except RequestDataTooBig:
            return _error(413, "The message is too large.")
        try:
            events = self.parse_events(request)
        except RequestDataTooBig:
            return _error(413, "The message is too large.")
        except AnymailConfigurationError as exc:
            return _error(400, str(exc))
        except (KeyError, ValueError, TypeError, MultiValueDictKeyError) as exc:
            return _error(400, f"This is not a Mailgun inbound post: {exc}")
        event = events[0]
        try:
            message = _from_mailgun(request, event.message)
        except ApplicationError as exc:
            return _error(exc.status_code, exc.message)
        recipients = [request.POST.get("recipient", "")]
        recipients += [address.email for address in message.to + message.cc]
        recipients += [
            message.headers.get("delivered-to", ""),
            message.headers.get("x-original-to", ""),
        ]
        mailbox = selectors.mailbox_for_addresses(
            [r for part in recipients for r in part.split(",")]
        )
        if mailbox is None:
            # 406 tells Mailgun not to retry: no workspace receives mail at this address.
            return _error(406, "No workspace receives mail at this address.")
        return _receive(mailbox, message, Reply.Source.MAILGUN)


def _from_mailgun(request: HttpRequest, parsed) -> InboundMessage:
    if "body-mime" in request.POST:
        # The message as Mailgun received it: read it exactly as a raw delivery.
        return parse_raw(request.POST["body-mime"].encode("utf-8", errors="replace"))
    message = from_mime(parsed)
    message.envelope_recipient = request.POST.get("recipient", "")
    return message


def _receive(mailbox: InboundMailbox, message: InboundMessage, source: str) -> JsonResponse:
    receipt = intake.reply_receive(workspace=mailbox.workspace, message=message, source=source)
    return JsonResponse(
        {"id": receipt.reply.pk, "created": receipt.created, "kind": receipt.reply.kind},
        status=201 if receipt.created else 200,
    )


def _read_capped(request: HttpRequest) -> bytes:
    limit = settings.REPLIES_MAX_MESSAGE_BYTES
    if _declared_length(request) > limit:
        raise MessageTooLarge(f"The message is larger than {limit} bytes.")
    # Read the stream ourselves: request.body would stop at DATA_UPLOAD_MAX_MEMORY_SIZE, which
    # is sized for forms, not for emails with attachments.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise MessageTooLarge(f"The message is larger than {limit} bytes.")
    if not raw.strip():
        raise MalformedMessage("The body is empty: post the raw message as the request body.")
    return raw


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)
