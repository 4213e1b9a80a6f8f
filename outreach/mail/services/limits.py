"""How many emails each sending address may still send today (one-off and sequence emails
count together), reserved under a row lock so concurrent senders never overshoot."""

from datetime import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F

from outreach.models import Mailbox, SenderDailySend, Workspace


def daily_send_limit(workspace: Workspace, mailbox: Mailbox | None = None) -> int:
    if mailbox is not None and mailbox.daily_limit:
        return mailbox.daily_limit
    return workspace.daily_send_limit or settings.CADENCE_DAILY_SEND_LIMIT


def sending_address(mailbox: Mailbox | None, user_email: str = "") -> str:
    """The address a day's sends are counted for: the mailbox's, the person's, or the
    workspace's shared one."""
    if mailbox is not None:
        return mailbox.email.lower()
    if user_email:
        return user_email.lower()
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


def _day(workspace: Workspace, now: datetime):
    return now.astimezone(ZoneInfo(workspace.time_zone)).date()


def sends_left(*, workspace: Workspace, sender_email: str, limit: int, now: datetime) -> int:
    used = (
        SenderDailySend.objects.filter(
            workspace=workspace, sender_email=sender_email, day=_day(workspace, now)
        )
        .values_list("sent", flat=True)
        .first()
    )
    return max(0, limit - (used or 0))


def reserve_sends(
    *, workspace: Workspace, sender_email: str, wanted: int, now: datetime, limit: int | None = None
) -> int:
    """Take up to `wanted` of the sender's sends left today; return how many were taken. Runs
    in the caller's transaction, which holds the day's counter locked until it ends."""
    limit = limit if limit is not None else daily_send_limit(workspace)
    counter, _ = SenderDailySend.objects.get_or_create(
        workspace=workspace, sender_email=sender_email, day=_day(workspace, now)
    )
    counter = SenderDailySend.objects.select_for_update().get(pk=counter.pk)
    granted = max(0, min(wanted, limit - counter.sent))
    if granted:
        SenderDailySend.objects.filter(pk=counter.pk).update(sent=F("sent") + granted)
    return granted
