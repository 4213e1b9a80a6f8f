"""Celery tasks of sequences: the cadence sweep and sending a sequence email.

Each task imports its service when it runs: the services enqueue these tasks, so importing them
at load time would make the two modules import each other."""

from celery import shared_task

# A send that keeps failing for a transient reason is retried this many times, backing off
# from half a minute to ten minutes, before its step is marked not sent.
EMAIL_SEND_RETRIES = 5


@shared_task(name="outreach.cadence_sweep", acks_late=True, reject_on_worker_lost=True)
def cadence_sweep() -> int:
    from outreach.sequences.services import sweep

    return sweep.cadence_sweep()


@shared_task(
    name="outreach.send_sequence_email",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=EMAIL_SEND_RETRIES,
)
def send_sequence_email(self, step_id: int) -> str:
    from outreach.sequences.services import sending

    outcome = sending.sequence_email_send(
        step_id=step_id, final_attempt=self.request.retries >= EMAIL_SEND_RETRIES
    )
    if outcome == "retry":
        raise self.retry(countdown=min(600, 30 * 2**self.request.retries))
    return outcome
