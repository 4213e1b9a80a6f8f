"""Retention of inbound mail: a reply's whole message as received (its text and HTML parts,
quoted history and all) is dropped once it is old and dealt with; the reply itself stays.

What stays, and why: the reply's own words as triage read them (`body`), its sender, subject,
thread headers and kind, intent and bounce details, so the inbox, the timeline, the reports
(replies over time, the sequence funnel) and answering it all read as before. The row and its
Message-ID stay too: the unique (workspace, Message-ID) constraint is what keeps a message that
a mailbox or an MTA delivers again from being stored and triaged twice, so a reply row is never
deleted here. Replies still waiting for triage or for a person keep their whole message
whatever their age.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.sweeps import in_batches, sweep_deadline
from outreach.models import Reply
from outreach.models.replies import FULL_MESSAGE_DROPPABLE


def reply_full_messages_prune(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    time_budget_seconds: float | None = None,
) -> int:
    """Blank the text and HTML of dealt-with replies received more than
    REPLY_FULL_MESSAGE_RETENTION_DAYS ago, in batches, each in its own short transaction,
    until done or out of time; returns how many replies lost their full message."""
    before = (now or timezone.now()) - timedelta(days=settings.REPLY_FULL_MESSAGE_RETENTION_DAYS)
    return in_batches(
        lambda batch: _full_messages_blank(before=before, batch=batch),
        batch_size=batch_size,
        deadline=sweep_deadline(time_budget_seconds),
    )


def _full_messages_blank(*, before: datetime, batch: int) -> int:
    with transaction.atomic():
        # The partial index of dealt-with replies that still hold their full message leads to
        # them; blanked ones leave it, so each run reads only what is left to do.
        replies = list(
            Reply.objects.filter(FULL_MESSAGE_DROPPABLE, received_at__lt=before)
            .order_by("received_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if replies:
            Reply.objects.filter(pk__in=replies).update(text="", html="")
        return len(replies)
