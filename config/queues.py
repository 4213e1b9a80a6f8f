"""Which Celery queue each task goes to: by who is waiting for it.

- *interactive*: a person is waiting (a rep for the call task a prospect's visit made, for a
  reply's triage, for the email they pressed *Send* on; an integration for its webhook; an
  automation run that a CRM change started). Short tasks, and many worker slots.
- *sweeps*: beat's periodic jobs and the small pieces they hand out (a due sequence email, one
  mailbox's sync). Late by seconds at worst, never behind a video.
- *bulk*: long work that nobody watches second by second (campaign videos, imports, the daily
  engagement batch, report roll-ups, prospects' PDF reports rendered ahead of their download).
  Few slots each, so they never starve the other queues of CPU; add machines for this queue
  when campaigns grow.

Each queue has its own workers (Procfile, docker-compose.yml), so interactive work never waits
behind bulk work. A task that is not listed here goes to the interactive queue, and
`tests/test_task_queues.py` fails until it is listed, so that nobody adds a bulk task to the
interactive queue by accident.
"""

from kombu import Queue

INTERACTIVE = "interactive"
SWEEPS = "sweeps"
BULK = "bulk"
QUEUE_NAMES = (INTERACTIVE, SWEEPS, BULK)

TASK_QUEUES = tuple(Queue(name, routing_key=name) for name in QUEUE_NAMES)

QUEUE_OF_TASK: dict[str, str] = {
    # A person is waiting.
    "outreach.engagement_call_task_create": INTERACTIVE,
    "outreach.process_reply": INTERACTIVE,
    "outreach.mail.send_email": INTERACTIVE,
    "outreach.send_notification_emails": INTERACTIVE,
    "outreach.meetings.send_invitations": INTERACTIVE,
    "automations.process_events": INTERACTIVE,
    "automations.run_executions": INTERACTIVE,
    "engagement.compute_contact_score": INTERACTIVE,
    # Beat's jobs, and what they hand out.
    "media_pipeline.sweep": SWEEPS,
    "outreach.sweep_unprocessed_replies": SWEEPS,
    "outreach.cadence_sweep": SWEEPS,
    "outreach.send_sequence_email": SWEEPS,
    "outreach.mail.send_due_emails": SWEEPS,
    "outreach.mail.sync_due_mailboxes": SWEEPS,
    "outreach.mail.sync_mailbox": SWEEPS,
    "automations.sweep_runs": SWEEPS,
    "automations.redispatch_events": SWEEPS,
    "automations.emit_overdue_tasks": SWEEPS,
    "engagement.clear_expired_overrides": SWEEPS,
    "automations.retention_sweep": SWEEPS,
    "outreach.replies.retention_sweep": SWEEPS,
    "outreach.mail.tracking_retention_sweep": SWEEPS,
    "outreach.outbox_sweep": SWEEPS,
    # Long work nobody watches second by second.
    "media_pipeline.run": BULK,
    "outreach.import_run": BULK,
    "outreach.bulk_action_run": BULK,
    "engagement.compute_scores": BULK,
    "engagement.compute_workspace_scores": BULK,
    "reports.record_engagement_levels": BULK,
    "outreach.wizard_reports_render": BULK,
}

# Families of tasks by name, for tasks other parts of the product add: sweeps by their name,
# imports, exports and report roll-ups as bulk. Exact names above win.
QUEUE_OF_PATTERN: dict[str, str] = {
    "*sweep*": SWEEPS,
    "*import*": BULK,
    "*export*": BULK,
    "reports.*": BULK,
}


def task_routes() -> list[dict[str, dict[str, str]]]:
    """Celery's `task_routes`: exact names first, then the name patterns."""
    return [
        {name: {"queue": queue} for name, queue in QUEUE_OF_TASK.items()},
        {pattern: {"queue": queue} for pattern, queue in QUEUE_OF_PATTERN.items()},
    ]
