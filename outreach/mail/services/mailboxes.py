"""Connecting a member's mailboxes: identity, limits, SMTP and IMAP settings with encrypted
passwords (stored, never shown again), the default one, and testing a connection."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from config.validation import apply_changes, save_or_conflict, validate_model
from outreach.mail import crypto
from outreach.mail.servers import MailServerError, imap_check, smtp_check
from outreach.models import Mailbox, Workspace
from outreach.workspaces.services.workspaces import ensure_member

# Everything a member sets on a mailbox, passwords aside (they are given apart, in clear, and
# stored encrypted).
MAILBOX_FIELDS = {
    "display_name",
    "email",
    "signature",
    "daily_limit",
    "is_default",
    "sending",
    "smtp_host",
    "smtp_port",
    "smtp_tls",
    "smtp_username",
    "receiving",
    "imap_host",
    "imap_port",
    "imap_tls",
    "imap_username",
    "imap_folder",
}
# Where a message was read or sent from: a change of these starts the IMAP cursor over.
IMAP_PLACE = {"imap_host", "imap_port", "imap_username", "imap_folder"}


def mailbox_create(
    *,
    workspace: Workspace,
    owner: User,
    fields: Mapping[str, Any],
    smtp_password: str = "",
    imap_password: str = "",
) -> Mailbox:
    ensure_member(workspace=workspace, user=owner, field="owner_id")
    mailbox = Mailbox(workspace=workspace, owner=owner)
    fields = _normalized(fields)
    # Given an SMTP server and no word on how to send, the mailbox sends through it.
    if fields.get("smtp_host") and "sending" not in fields:
        fields["sending"] = Mailbox.Sending.SMTP
    if fields.get("imap_host") and "receiving" not in fields:
        fields["receiving"] = Mailbox.Receiving.IMAP
    apply_changes(mailbox, fields, allowed=MAILBOX_FIELDS)
    mailbox.smtp_password_encrypted = crypto.encrypt(smtp_password)
    mailbox.imap_password_encrypted = crypto.encrypt(imap_password)
    first = not Mailbox.objects.filter(workspace=workspace, owner=owner).exists()
    mailbox.is_default = mailbox.is_default or first
    return _save(mailbox, now_syncs=mailbox.reads_imap)


def mailbox_update(
    *,
    mailbox: Mailbox,
    changes: Mapping[str, Any],
    smtp_password: str | None = None,
    imap_password: str | None = None,
) -> Mailbox:
    """Change settings; a password given replaces the stored one, None keeps it."""
    changed = apply_changes(mailbox, _normalized(changes), allowed=MAILBOX_FIELDS)
    if smtp_password is not None:
        mailbox.smtp_password_encrypted = crypto.encrypt(smtp_password)
    if imap_password is not None:
        mailbox.imap_password_encrypted = crypto.encrypt(imap_password)
    if IMAP_PLACE & changed.keys():
        mailbox.imap_uidvalidity, mailbox.imap_last_uid = None, 0
    reconnect = imap_password is not None or bool({"receiving", *IMAP_PLACE} & changed.keys())
    return _save(mailbox, now_syncs=mailbox.reads_imap and reconnect)


def mailbox_delete(*, mailbox: Mailbox) -> None:
    if mailbox.emails.exists():
        # Its emails keep the address they went from; the mailbox stops syncing instead.
        raise Conflict(
            "Emails were sent from this mailbox, so it is kept for their history; stop reading "
            "it (receiving: none) instead."
        )
    with transaction.atomic():
        mailbox.delete()


def _normalized(fields: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(fields)
    for name in ("email", "smtp_host", "imap_host"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip().lower()
    for name in ("display_name", "smtp_username", "imap_username", "imap_folder"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    return values


def _save(mailbox: Mailbox, *, now_syncs: bool) -> Mailbox:
    _check_settings(mailbox)
    if now_syncs:
        mailbox.next_sync_at = timezone.now()
        mailbox.sync_error, mailbox.sync_failures = "", 0
    with transaction.atomic():
        validate_model(mailbox, exclude=["workspace", "owner"])
        if mailbox.is_default:
            Mailbox.objects.filter(
                workspace_id=mailbox.workspace_id, owner_id=mailbox.owner_id, is_default=True
            ).exclude(pk=mailbox.pk).update(is_default=False)
        save_or_conflict(mailbox, f"A mailbox for {mailbox.email} is already connected here.")
    return mailbox


def _check_settings(mailbox: Mailbox) -> None:
    if mailbox.sending == Mailbox.Sending.SMTP and not mailbox.smtp_host:
        raise ValidationFailed.for_field("smtp_host", "Sending over SMTP needs its server.")
    if mailbox.reads_imap:
        for name, label in (("imap_host", "server"), ("imap_username", "user name")):
            if not getattr(mailbox, name):
                raise ValidationFailed.for_field(name, f"Reading over IMAP needs its {label}.")
    if mailbox.daily_limit is not None and not 1 <= mailbox.daily_limit <= 100_000:
        raise ValidationFailed.for_field("daily_limit", "The daily limit is 1 to 100000.")


@dataclass(frozen=True)
class Check:
    """One side of a connection test: `ok`, or what failed (`kind`) in plain words."""

    service: str
    ok: bool
    message: str
    kind: str = ""


def mailbox_test(*, mailbox: Mailbox) -> list[Check]:
    """Try sending (SMTP) and reading (IMAP) as configured; no email is sent."""
    checks = []
    if mailbox.sending == Mailbox.Sending.SMTP:
        checks.append(_check("SMTP", smtp_check, mailbox))
    else:
        checks.append(Check("SMTP", True, "Emails go through the workspace's email service."))
    if mailbox.reads_imap:
        checks.append(_check("IMAP", imap_check, mailbox))
    return checks


def _check(service: str, check, mailbox: Mailbox) -> Check:
    try:
        check(mailbox)
    except MailServerError as exc:
        return Check(service, False, exc.message, exc.kind)
    where = mailbox.smtp_host if service == "SMTP" else mailbox.imap_host
    return Check(service, True, f"Connected to {where} and signed in.")


def mailbox_keys_rotate() -> int:
    """Store every password again under the first key of MAILBOX_ENCRYPTION_KEYS, so older
    keys can be dropped; returns how many mailboxes were rewritten."""
    count = 0
    for mailbox in Mailbox.objects.only("smtp_password_encrypted", "imap_password_encrypted"):
        with transaction.atomic():
            Mailbox.objects.filter(pk=mailbox.pk).update(
                smtp_password_encrypted=crypto.rotate(mailbox.smtp_password_encrypted),
                imap_password_encrypted=crypto.rotate(mailbox.imap_password_encrypted),
            )
        count += 1
    return count
