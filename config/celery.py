"""The Celery app and the beat schedule."""

import logging
import os
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun, worker_init
from django.db import close_old_connections

# The module itself, not django.conf.settings: this file is imported while settings load.
from config.queues import BULK, INTERACTIVE, TASK_QUEUES, task_routes
from config.settings import AUTOMATION_SWEEP_SECONDS, BULK_WORKER_NICENESS, OUTBOX_SWEEP_SECONDS

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
logger = logging.getLogger(__name__)

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Queues by urgency (config/queues.py): each has its own workers.
app.conf.task_queues = TASK_QUEUES
app.conf.task_default_queue = INTERACTIVE
app.conf.task_routes = task_routes()
# Each app's tasks, and those of outreach's sub-domains, which Celery would not look for.
app.autodiscover_tasks()
app.autodiscover_tasks(
    [
        "outreach.workspaces",
        "outreach.crm",
        "outreach.mail",
        "outreach.sequences",
        "outreach.replies",
        "outreach.outbox",
        "outreach.lists",
        "outreach.wizard",
    ]
)


@task_prerun.connect
@task_postrun.connect
def _retire_old_connections(task: Task, **kwargs: object) -> None:
    """Treat each task as Django treats a request: a connection past CONN_MAX_AGE or left
    unusable (say, by a database restart) is closed, a healthy one is kept (settings set
    CELERY_DB_REUSE_MAX so Celery does not close it after every task). A task run eagerly
    inside the caller's transaction leaves its connection alone."""
    if not getattr(task.request, "is_eager", False):
        close_old_connections()


@worker_init.connect
def _bulk_work_yields_the_cpu(sender: Any, **kwargs: object) -> None:
    """A worker that consumes only the bulk queue runs at a lower CPU priority
    (BULK_WORKER_NICENESS, the lowest by default): on a machine it shares with the web app or
    the interactive workers, a campaign's videos take the CPU they leave, never the other way
    round. The processes it starts (its pool, ffmpeg) inherit it."""
    consumed = set(sender.app.amqp.queues.consume_from or ())  # empty: every queue
    if consumed == {BULK} and BULK_WORKER_NICENESS > 0:
        os.nice(BULK_WORKER_NICENESS)
        _lower_own_autogroup(BULK_WORKER_NICENESS)


# Where Linux (with autogroups) keeps the CPU share of the process's session.
AUTOGROUP = Path("/proc/self/autogroup")


def _lower_own_autogroup(niceness: int) -> None:
    """Linux with autogroups shares the CPU between sessions first, and a nice value counts only
    among the processes of one session: a worker that leads its own session (started by
    systemd, a container runtime or a supervisor in a new session) would take a whole session's
    share against the web app whatever its nice value. Such a worker lowers its session's share
    too. A worker in someone else's session (`make run`'s) leaves that session's share alone:
    its own nice value already counts against its neighbours there."""
    if os.getsid(0) != os.getpid() or not AUTOGROUP.exists():
        return
    try:
        AUTOGROUP.write_text(str(niceness))
    except OSError as exc:  # a kernel that refuses it: the process's own niceness still holds
        logger.warning("The bulk worker's session keeps its CPU share: %s", exc)


# Every periodic job of the product, in one place. Sweeps run often and work in bounded
# batches; `expires` drops a run that waited so long the next one is already due.
app.conf.beat_schedule = {
    # Work recorded while the broker was down (call tasks, triage, emails) goes out within
    # seconds of its return; the sweep is one index scan of a table that is usually empty.
    "outbox-sweep": {
        "task": "outreach.outbox_sweep",
        "schedule": float(OUTBOX_SWEEP_SECONDS),
        "options": {"expires": float(OUTBOX_SWEEP_SECONDS)},
    },
    # Every 15 s: a video retry whose backoff has passed, or a job whose worker died (its lease
    # ran out), is picked up within seconds; prospects waiting for a free slot are handed out.
    "media-pipeline-sweep": {
        "task": "media_pipeline.sweep",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
    # Scores count whole UTC days, so once a day after midnight UTC is enough; 04:00 UTC is a
    # quiet hour for teams in the Americas and Europe.
    "compute-engagement-scores": {
        "task": "engagement.compute_scores",
        "schedule": crontab(hour=4, minute=0),
        "options": {"expires": 3 * 60 * 60},
    },
    # Contacts per engagement level on each workspace's calendar day, for the reports: hourly,
    # so whatever the workspace's time zone the day's count is taken within its last hour.
    "reports-record-engagement-levels": {
        "task": "reports.record_engagement_levels",
        "schedule": crontab(minute=55),
        "options": {"expires": 30 * 60},
    },
    # An override ends near the time the admin chose, not at the next daily run.
    "clear-expired-engagement-overrides": {
        "task": "engagement.clear_expired_overrides",
        "schedule": 10 * 60,
        "options": {"expires": 9 * 60},
    },
    # Every five minutes: a reply whose triage task was lost (say, the broker was down when it
    # was stored) is triaged a few minutes late rather than never.
    "outreach.sweep_unprocessed_replies": {
        "task": "outreach.sweep_unprocessed_replies",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # Cadence steps come due to the minute (business hours open on the hour), so the sweep
    # runs every minute; a run still waiting when the next is due is dropped.
    "cadence-sweep": {
        "task": "outreach.cadence_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # "Send later" is to the minute, like cadence steps; each run also hands out sends whose
    # task was lost and marks the ones a dead worker cut short as maybe sent.
    "mail-send-due-emails": {
        "task": "outreach.mail.send_due_emails",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Replies should reach the inbox within a minute or two. The sweep only hands out the
    # mailboxes whose sync is due (a failing one backs off), so running it often is cheap.
    "mail-sync-due-mailboxes": {
        "task": "outreach.mail.sync_due_mailboxes",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Delayed automation actions start when due: the sweep interval is their worst lateness.
    "automations-sweep-runs": {
        "task": "automations.sweep_runs",
        "schedule": float(AUTOMATION_SWEEP_SECONDS),
        "options": {"expires": float(AUTOMATION_SWEEP_SECONDS)},
    },
    # Events whose after-commit dispatch was lost (a worker died) wait no longer than runs do;
    # the query is one partial-index scan of pending events.
    "automations-redispatch-events": {
        "task": "automations.redispatch_events",
        "schedule": float(AUTOMATION_SWEEP_SECONDS),
        "options": {"expires": float(AUTOMATION_SWEEP_SECONDS)},
    },
    # Retention counts whole days; hourly keeps each run's work small, and minute 17 keeps it
    # clear of the jobs that run on the hour.
    "automations-retention-sweep": {
        "task": "automations.retention_sweep",
        "schedule": crontab(minute=17),
        "options": {"expires": 30 * 60},
    },
    # Old replies' full messages and repeated email opens and clicks: hourly, like the
    # automation retention, at minutes of their own so the sweeps queue takes them in turn.
    "replies-retention-sweep": {
        "task": "outreach.replies.retention_sweep",
        "schedule": crontab(minute=27),
        "options": {"expires": 30 * 60},
    },
    "mail-tracking-retention-sweep": {
        "task": "outreach.mail.tracking_retention_sweep",
        "schedule": crontab(minute=37),
        "options": {"expires": 30 * 60},
    },
    # "Task overdue" automations fire within a minute of the due time.
    "automations-emit-overdue-tasks": {
        "task": "automations.emit_overdue_tasks",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
}
