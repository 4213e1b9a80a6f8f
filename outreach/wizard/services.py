"""The prospect wizard: links reps create and revoke, and what a prospect's visits record."""

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import DateTimeField, F, PositiveSmallIntegerField, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from config.errors import ValidationFailed
from outreach.crm.services.engagement_triggers import (
    TriggerSource,
    call_contact_for,
    enqueue_engagement_call_task,
    open_trigger_task,
)
from outreach.crm.services.prospects import prospect_set_status
from outreach.crm.services.tasks import activity_record
from outreach.models import Activity, Contact, Prospect, WizardLink, WizardSession
from outreach.models.wizard import ENGAGED_STEP, WIZARD_STEPS
from outreach.outbox.services import publish
from outreach.wizard import tasks as wizard_tasks
from outreach.wizard.videos import WizardVideo, video_play_record, video_watched_record
from outreach.workspaces.services.notifications import notify_admins

# Engaging with the wizard moves these prospects to ENGAGED (a lost one is won back); one in a
# meeting or won is already further along and stays where it is.
ENGAGEABLE_STATUSES = (Prospect.Status.NEW, Prospect.Status.CONTACTED, Prospect.Status.LOST)
# Admins hear of a link's first report download, and again after a quiet spell, not of every
# click on the button.
PDF_NOTIFY_QUIET_PERIOD = timedelta(hours=24)
# Links whose reports one task renders: a change of the team's colour reaches every live link
# of the workspace, spread over the bulk workers.
REPORT_RENDER_BATCH = 50


def wizard_link_create(*, prospect: Prospect, by: User | None = None) -> WizardLink:
    with transaction.atomic():
        link = WizardLink.objects.create(
            workspace=prospect.workspace, prospect=prospect, created_by=by
        )
        WizardSession.objects.create(link=link)
        wizard_reports_refresh(link_ids=[link.pk])
    return link


def wizard_reports_refresh(
    *,
    link_ids: Collection[int] = (),
    prospect_ids: Collection[int] = (),
    workspace_id: int | None = None,
) -> int:
    """Render again, in the background once the caller's change commits, the reports of these
    links, of the live links of these prospects, or of every live link of the workspace: what
    they show changed, and a prospect's first download should find the new report stored.

    Only a head start: a download still renders a report its task has not stored yet, and the
    digest of the content, not this call, decides when a stored report is out of date. So a
    broker that is down only costs the head start (no outbox row). Returns how many links.
    """
    live = WizardLink.objects.filter(revoked_at__isnull=True)
    ids = set(link_ids)
    if prospect_ids:
        ids.update(live.filter(prospect_id__in=prospect_ids).values_list("pk", flat=True))
    if workspace_id is not None:
        ids.update(live.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    ordered = sorted(ids)
    for start in range(0, len(ordered), REPORT_RENDER_BATCH):
        batch = ordered[start : start + REPORT_RENDER_BATCH]
        transaction.on_commit(
            lambda batch=batch: publish(task=wizard_tasks.wizard_reports_render, args=[batch]),
            robust=True,
        )
    return len(ordered)


def wizard_link_revoke(*, link: WizardLink) -> WizardLink:
    """Make the link lead nowhere. Revoking twice keeps the first time."""
    with transaction.atomic():
        WizardLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    link.refresh_from_db(fields=["revoked_at"])
    return link


def wizard_step_view(*, link: WizardLink, step: int) -> bool:
    """Record that the prospect viewed a step; True when this view first reached step 3.

    Reaching step 3 makes the prospect ENGAGED. Every view of step 3 or later asks for a call
    task once committed, unless one for this signal is already open: a prospect who comes back
    after the rep closed the last one is a new signal. The database keeps it to one open task
    however many views race. The session's furthest step only ever grows.
    """
    if not 1 <= step <= len(WIZARD_STEPS):
        raise ValidationFailed.for_field("step", f"Steps run from 1 to {len(WIZARD_STEPS)}.")
    now = timezone.now()
    prospect = link.prospect
    sessions = WizardSession.objects.filter(link_id=link.pk)
    with transaction.atomic():
        # The conditional UPDATE locks the row, so of two concurrent views only one crosses.
        crossed = step >= ENGAGED_STEP and bool(
            sessions.filter(max_step__lt=ENGAGED_STEP).update(engaged_at=now)
        )
        sessions.update(
            max_step=Greatest("max_step", Value(step, output_field=PositiveSmallIntegerField())),
            step_views=F("step_views") + 1,
            first_visit_at=Coalesce("first_visit_at", Value(now, output_field=DateTimeField())),
            last_visit_at=now,
        )
        _record_activity(
            link,
            Activity.Kind.WIZARD_STEP,
            now,
            call_contact_for(prospect=prospect),
            step=step,
            stepName=WIZARD_STEPS[step - 1],
        )
        if crossed:
            prospect_set_status(
                prospect=prospect, status=Prospect.Status.ENGAGED, only_from=ENGAGEABLE_STATUSES
            )
        if step >= ENGAGED_STEP:
            _ask_for_call_task(prospect, TriggerSource.WIZARD_STEP3)
    return crossed


def wizard_pdf_download(*, link: WizardLink) -> None:
    """Record a download of the PDF report, tell the admins, and queue the call task.

    A forwarded link or a team clicking at once makes many downloads of one report together,
    and each UPDATE of the link's session row holds that row until its transaction commits: so
    everything that only reads (whom to attribute it to, whether the call task is open) runs
    before the transaction, and the session row is written last.
    """
    now = timezone.now()
    prospect = link.prospect
    sessions = WizardSession.objects.filter(link_id=link.pk)
    downloaded = {"pdf_downloads": F("pdf_downloads") + 1, "last_pdf_download_at": now}
    quiet_since = now - PDF_NOTIFY_QUIET_PERIOD
    contact = call_contact_for(prospect=prospect)
    # Most downloads come while the task is still open: one indexed read spares the queue a
    # message each time. One racing the rep's close may still ask; the trigger then finds the
    # open task, or makes the one new task the database allows.
    ask = open_trigger_task(prospect=prospect, trigger_source=TriggerSource.PDF_DOWNLOAD) is None
    # The session read with the link says whether the last download was recent: most clicks
    # of a busy report then cost one UPDATE. One that looks quiet reads the session again
    # under its row lock, so of concurrent first downloads (which all look quiet) only one
    # tells the admins, and each waits for the row once.
    last = link.session.last_pdf_download_at
    maybe_quiet = last is None or last < quiet_since
    with transaction.atomic():
        _record_activity(link, Activity.Kind.PDF_DOWNLOAD, now, contact)
        if ask:
            enqueue_engagement_call_task(
                prospect_id=prospect.pk, trigger_source=TriggerSource.PDF_DOWNLOAD
            )
        notify = False
        if maybe_quiet:
            last = (
                sessions.select_for_update().values_list("last_pdf_download_at", flat=True).first()
            )
            notify = last is None or last < quiet_since
        sessions.update(**downloaded)
        if notify:
            notify_admins(
                workspace=link.workspace,
                title=f"{prospect.name} downloaded the PDF report",
                body=f"{prospect.name} downloaded the report from their wizard page.",
                link=reverse("crm:prospect_detail", args=[prospect.pk]),
            )


def wizard_video_play(*, link: WizardLink, video: WizardVideo) -> bool:
    """Record that the prospect played their video; False when the play does not count (a
    replay moments after the last one: pausing and resuming is one play, not many)."""
    if video.key is None:
        return False
    with transaction.atomic():
        # The prospect row is the lock that keeps two quick plays from both counting.
        Prospect.objects.select_for_update().filter(pk=link.prospect_id).first()
        return video_play_record(prospect=link.prospect, key=video.key, occurred_at=timezone.now())


def wizard_video_watched(*, link: WizardLink, video: WizardVideo, share: float) -> bool:
    """Record how far into their video the prospect got (the player reports it when they pause,
    finish or leave); False when it was not recorded."""
    if video.key is None:
        return False
    with transaction.atomic():
        # The same lock as a play's: the play this belongs to is written first.
        Prospect.objects.select_for_update().filter(pk=link.prospect_id).first()
        return video_watched_record(
            prospect=link.prospect, key=video.key, share=share, occurred_at=timezone.now()
        )


def _ask_for_call_task(prospect: Prospect, source: str) -> None:
    # Most views come while the task is still open: one indexed read spares the queue a
    # message each time. A view racing the rep's close may still ask; the trigger then finds
    # the open task, or makes the one new task the database allows.
    if open_trigger_task(prospect=prospect, trigger_source=source) is None:
        enqueue_engagement_call_task(prospect_id=prospect.pk, trigger_source=source)


def _record_activity(
    link: WizardLink, kind: str, at: datetime, contact: Contact | None, **metadata: Any
) -> None:
    # Engagement scoring reads these per contact: the one a rep would call (`call_contact_for`)
    # stands for the prospect, since a wizard link is the company's, not one person's.
    activity_record(
        workspace=link.workspace,
        prospect=link.prospect,
        contact=contact,
        kind=kind,
        occurred_at=at,
        metadata={**metadata, "wizardLinkId": link.pk},
    )
