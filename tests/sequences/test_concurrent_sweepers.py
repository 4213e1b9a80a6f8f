"""Four sweepers running at once over 10,000 due steps promote every step exactly once."""

import threading
from datetime import time, timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from outreach.models import Contact, OutreachLog, OutreachSequence, OutreachStep
from outreach.sequences.services.sweep import cadence_sweep
from tests.factories import (
    MembershipFactory,
    ProspectFactory,
    UserFactory,
    WorkspaceFactory,
    sequence_with_steps,
)

DUE_STEPS = 10_000
SWEEPERS = 4


def due_sequences(n: int):
    workspace = WorkspaceFactory(
        business_days=list(range(7)),
        business_day_start=time(0, 0),
        business_day_end=time(23, 59, 59),
    )
    rep = UserFactory(username="bob")
    MembershipFactory(workspace=workspace, user=rep)
    prospects = [ProspectFactory(workspace=workspace, owner=rep) for _ in range(20)]
    template = sequence_with_steps(
        workspace,
        {"channel": "call"},
        {"channel": "call", "delay_days": 1, "subject_template": "Call {{contact.first_name}}"},
    )
    first, second = template.steps.order_by("position")
    contacts = Contact.objects.bulk_create(
        Contact(
            workspace=workspace,
            prospect=prospects[i % len(prospects)],
            first_name=f"Pat{i}",
            email=f"pat{i}@example.com",
        )
        for i in range(n)
    )
    sequences = OutreachSequence.objects.bulk_create(
        OutreachSequence(
            workspace=workspace,
            template=template,
            prospect_id=contact.prospect_id,
            contact=contact,
            sender=rep,
        )
        for contact in contacts
    )
    due = timezone.now() - timedelta(minutes=1)
    OutreachStep.objects.bulk_create(
        step
        for sequence in sequences
        for step in (
            OutreachStep(
                sequence=sequence,
                template_step=first,
                step_order=1,
                channel="call",
                status=OutreachStep.Status.DONE,
                next_step_ready_at=due,
            ),
            OutreachStep(sequence=sequence, template_step=second, step_order=2, channel="call"),
        )
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_sweepers_at_once_promote_each_of_10000_due_steps_exactly_once():
    due_sequences(DUE_STEPS)
    start = threading.Barrier(SWEEPERS)
    promoted: list[int] = []
    errors: list[BaseException] = []

    def sweeper():
        try:
            start.wait()
            promoted.append(cadence_sweep(batch_size=250, time_budget=120))
        except BaseException as exc:  # reported by the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(SWEEPERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert not errors, errors
    assert sum(promoted) == DUE_STEPS
    assert sum(1 for n in promoted if n) > 1, f"the sweepers did not share the work: {promoted}"
    tasks = OutreachLog.objects.filter(metadata__kind="touch_task")
    assert tasks.count() == DUE_STEPS
    per_step = tasks.values("metadata__stepId").annotate(n=Count("pk"))
    assert per_step.count() == DUE_STEPS and not per_step.filter(n__gt=1).exists()
    assert OutreachStep.objects.filter(step_order=2, status="open").count() == DUE_STEPS
    assert not OutreachStep.objects.filter(next_step_ready_at__isnull=False).exists()
