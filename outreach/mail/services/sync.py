"""Reading new mail from reps' mailboxes over IMAP, incrementally, into the reply intake.

A mailbox remembers its folder's UIDVALIDITY and the last UID it read. A sync asks only for
UIDs above it (or, when UIDVALIDITY changed and UIDs mean nothing any more, for messages since
the last sync by date), reads them in batches and saves the cursor after each batch: a sync
that dies resumes after the last batch saved, and a message read twice is stored once (intake
dedupes by Message-ID). A mailbox that fails keeps its error and waits longer each time; the
others go on.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outreach.mail import inbound
from outreach.mail import tasks as mail_tasks
from outreach.mail.servers import ImapSession, MailServerError, imap_session
from outreach.models import Mailbox

logger = logging.getLogger(__name__)

FETCH_BATCH = 250
SWEEP_BATCH = 500
# A handed-out sync holds its mailbox this long before the sweep may hand it out again.
SYNC_LEASE = timedelta(minutes=10)


@dataclass
class SyncResult:
    outcome: str  # "synced", "failed" or "gone"
    read: int = 0
    error: str = ""


def mailboxes_sync_due(*, now: datetime | None = None) -> int:
    """Hand every mailbox whose sync is due to a worker."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Mailbox.objects.filter(receiving=Mailbox.Receiving.IMAP, next_sync_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("next_sync_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        Mailbox.objects.filter(pk__in=due).update(next_sync_at=now + SYNC_LEASE)
        for mailbox_id in due:
            transaction.on_commit(partial(mail_tasks.sync_mailbox.delay, mailbox_id))
    return len(due)


def mailbox_sync(*, mailbox_id: int) -> SyncResult:
    """Read what is new in the mailbox and hand each message to the intake."""
    mailbox = (
        Mailbox.objects.select_related("workspace", "owner")
        .filter(pk=mailbox_id, receiving=Mailbox.Receiving.IMAP)
        .first()
    )
    if mailbox is None:
        return SyncResult("gone")
    started = timezone.now()
    try:
        with imap_session(mailbox) as session:
            read = _read_new(mailbox, session, started)
    except MailServerError as exc:
        _failed(mailbox, exc.message, started)
        return SyncResult("failed", error=exc.message)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_synced_at=started,
        next_sync_at=started + timedelta(seconds=settings.MAILBOX_SYNC_INTERVAL_SECONDS),
        sync_error="",
        sync_failures=0,
    )
    return SyncResult("synced", read=read)


def _read_new(mailbox: Mailbox, session: ImapSession, now: datetime) -> int:
    state = session.state
    if mailbox.imap_uidvalidity == state.uidvalidity:
        if state.uidnext is not None and state.uidnext <= mailbox.imap_last_uid + 1:
            return 0  # nothing new: one EXAMINE told us so
        uids = session.uids_after(mailbox.imap_last_uid)
    else:
        # A new mailbox, or a folder recreated on the server: UIDs start over, so read by date,
        # back to the last sync (or a few days for a new mailbox), never the whole folder.
        since = (
            mailbox.last_synced_at - timedelta(days=1)
            if mailbox.last_synced_at
            else now - timedelta(days=settings.MAILBOX_FIRST_SYNC_DAYS)
        )
        uids = session.uids_since(since.date())
        Mailbox.objects.filter(pk=mailbox.pk).update(
            imap_uidvalidity=state.uidvalidity, imap_last_uid=0
        )
        mailbox.imap_uidvalidity, mailbox.imap_last_uid = state.uidvalidity, 0
    read = 0
    for start in range(0, len(uids), FETCH_BATCH):
        batch = uids[start : start + FETCH_BATCH]
        raw_messages = [
            raw for _uid, raw in session.fetch(batch, max_bytes=settings.REPLIES_MAX_MESSAGE_BYTES)
        ]
        inbound.deliver(mailbox=mailbox, raw_messages=raw_messages)
        read += len(raw_messages)
        # Forward only: a slower sync running beside this one never moves the cursor back.
        Mailbox.objects.filter(
            pk=mailbox.pk, imap_uidvalidity=state.uidvalidity, imap_last_uid__lt=batch[-1]
        ).update(imap_last_uid=batch[-1])
    return read


def _failed(mailbox: Mailbox, message: str, now: datetime) -> None:
    failures = mailbox.sync_failures + 1
    wait = min(
        settings.MAILBOX_SYNC_INTERVAL_SECONDS * 2**failures,
        settings.MAILBOX_SYNC_MAX_BACKOFF_SECONDS,
    )
    logger.warning("Mailbox %s did not sync (attempt %s): %s", mailbox.pk, failures, message)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        sync_error=message[:300],
        sync_failures=min(failures, 30),
        next_sync_at=now + timedelta(seconds=wait),
    )
