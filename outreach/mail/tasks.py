"""Celery tasks of mail: sending a one-off email, the send-later sweep, IMAP syncs, and the
retention of opens and clicks.

Each task imports its service when it runs: the services enqueue these tasks, so importing them
at load time would make the two modules import each other."""

from celery import shared_task

# A send that keeps failing for a passing reason (a timeout, a 4xx) is retried this many
# times, backing off from half a minute to ten minutes, before the email is marked not sent.
EMAIL_SEND_RETRIES = 5


@shared_task(
    name="outreach.mail.send_email",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=EMAIL_SEND_RETRIES,
)
def send_email(self, email_id: int) -> str:
    from outreach.mail.services import emails

    outcome = emails.email_send(
        email_id=email_id, final_attempt=self.request.retries >= EMAIL_SEND_RETRIES
    )
    if outcome == "retry":
        raise self.retry(countdown=min(600, 30 * 2**self.request.retries))
    return outcome


@shared_task(name="outreach.mail.send_due_emails", acks_late=True, reject_on_worker_lost=True)
def send_due_emails() -> int:
    from outreach.mail.services import emails

    return emails.emails_send_due()


@shared_task(name="outreach.mail.sync_due_mailboxes", acks_late=True, reject_on_worker_lost=True)
def sync_due_mailboxes() -> int:
    from outreach.mail.services import sync

    return sync.mailboxes_sync_due()


# Not acks_late: a sync that dies half-way is simply run again by the sweep, which reads on
# from the last batch it saved; a redelivery would only repeat it sooner.
@shared_task(name="outreach.mail.sync_mailbox")
def sync_mailbox(mailbox_id: int) -> str:
    from outreach.mail.services import sync

    return sync.mailbox_sync(mailbox_id=mailbox_id).outcome


@shared_task(
    name="outreach.mail.tracking_retention_sweep", acks_late=True, reject_on_worker_lost=True
)
def tracking_retention_sweep() -> int:
    """Compact old email opens and clicks (each day's repeats of one email become one row)."""
    from outreach.mail.services import tracking_retention

    return tracking_retention.tracking_compact()
