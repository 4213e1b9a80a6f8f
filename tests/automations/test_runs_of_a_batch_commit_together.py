"""The runs a worker has just leased share one transaction when all their actions are database
writes: all of it is kept or none, a run that goes wrong in it is run again alone, and each
action sees the records as the actions before it left them."""

from unittest import mock

from automations import runner
from automations.models import (
    AutomationActionRun,
    AutomationEvent,
    AutomationExecution,
    TriggerType,
)
from config.errors import ValidationFailed
from outreach.crm.services import tasks as task_services
from outreach.crm.services.tags import tag_assign
from outreach.models import OutreachLog
from tests.factories import ContactFactory

CALL = {"type": "create_task", "params": {"subject": "Call {{contact.first_name}}"}}


def _tag_events(contacts, tag) -> list[int]:
    for contact in contacts:
        tag_assign(target=contact, tag=tag)
    return list(AutomationEvent.objects.order_by("pk").values_list("pk", flat=True))


def test_a_run_that_fails_in_a_batch_fails_alone_and_the_others_complete(automation, hot, stripe):
    automation(TriggerType.TAG_ASSIGNED, trigger_config={"tag_id": hot.pk}, actions=[CALL])
    ana, sam, lee = (
        ContactFactory(prospect=stripe, first_name=name) for name in ["Ana", "Sam", "Lee"]
    )
    real = task_services.touch_task_create

    def refuses_sam(**task):
        if task["contact"] == sam:
            raise ValidationFailed("Sam's prospect has no owner to call him.")
        return real(**task)

    with mock.patch.object(task_services, "touch_task_create", side_effect=refuses_sam):
        assert (
            runner.events_process(event_ids=_tag_events([ana, sam, lee], hot), budget_seconds=60)
            == 3
        )

    runs = {run.event.payload["contact"]["id"]: run for run in AutomationExecution.objects.all()}
    assert runs[ana.pk].status == runs[lee.pk].status == "completed"
    assert runs[sam.pk].status == "failed"
    assert runs[sam.pk].reason == "Sam's prospect has no owner to call him."
    # Each of the others got its task once, and one log row, although the batch was undone.
    assert sorted(OutreachLog.objects.values_list("subject", flat=True)) == ["Call Ana", "Call Lee"]
    steps = AutomationActionRun.objects.order_by("execution__pk")
    assert [(step.execution_id, step.status) for step in steps] == [
        (runs[ana.pk].pk, "succeeded"),
        (runs[sam.pk].pk, "failed"),
        (runs[lee.pk].pk, "succeeded"),
    ]
    assert all(run.lease_token is None for run in runs.values())


def test_a_task_created_after_a_rule_renamed_the_contact_in_the_batch_uses_the_new_name(
    automation, hot, stripe
):
    automation(
        TriggerType.TAG_ASSIGNED,
        trigger_config={"tag_id": hot.pk},
        actions=[
            {"type": "update_field", "params": {"field": "contact.first_name", "value": "Patricia"}}
        ],
    )
    automation(TriggerType.TAG_ASSIGNED, trigger_config={"tag_id": hot.pk}, actions=[CALL])
    pat = ContactFactory(prospect=stripe, first_name="Pat")

    # Both runs share one batch, the renaming one first.
    assert runner.events_process(event_ids=_tag_events([pat], hot), budget_seconds=60) == 2

    assert set(AutomationExecution.objects.values_list("status", flat=True)) == {"completed"}
    assert OutreachLog.objects.get().subject == "Call Patricia"
