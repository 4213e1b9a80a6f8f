"""Each kind of action, through a run: what it changes in the CRM and what it logs."""

from decimal import Decimal

from django.core import mail

from automations.models import AutomationActionRun, AutomationEvent, AutomationExecution
from outreach.crm.services.deals import deal_move_stage
from outreach.crm.services.tags import tag_assign
from outreach.models import Contact, Deal, Notification, OutreachLog
from tests.factories import PipelineFactory, TagFactory


def test_update_field_sets_standard_and_custom_fields_and_emits_field_changed(
    run_steps, automation, pat, deal
):
    listener = automation(
        "field.changed",
        trigger_config={"field": "contact.title"},
        actions=[
            {
                "type": "notify_admins",
                "params": {"title": "{{contact.first_name}} is now {{event.field.new}}"},
            }
        ],
    )
    run = run_steps(
        [
            {
                "type": "update_field",
                "params": {"field": "contact.title", "value": "VP {{prospect.name}}"},
            },
            {
                "type": "update_field",
                "params": {"field": "deal.custom_fields.source", "value": "automation"},
            },
            {"type": "update_field", "params": {"field": "deal.value", "value": "{{deal.value}}5"}},
        ],
    )
    pat.refresh_from_db()
    deal.refresh_from_db()
    assert pat.title == "VP Stripe"
    assert deal.custom_fields["source"] == "automation"
    assert deal.value == Decimal("120005.00")
    assert run.status == AutomationExecution.Status.COMPLETED
    caused = AutomationEvent.objects.get(event_type="field.changed")
    assert caused.caused_by_execution == run and caused.cascade_depth == 1
    assert listener.executions.get().status == AutomationExecution.Status.COMPLETED
    assert Notification.objects.filter(title="Pat is now VP Stripe").exists()


def test_a_field_already_at_the_value_is_skipped_and_the_run_goes_on(run_steps):
    run = run_steps(
        [
            {
                "type": "update_field",
                "params": {"field": "contact.title", "value": "Head of Sales"},
            },
            {"type": "create_task", "params": {"subject": "Next"}},
        ],
    )
    steps = list(run.action_runs.values_list("status", "result"))
    assert steps[0] == (
        AutomationActionRun.Status.SKIPPED,
        {"skipped": "contact.title already is 'Head of Sales'."},
    )
    assert steps[1][0] == AutomationActionRun.Status.SUCCEEDED


def test_an_invalid_value_fails_the_run_with_the_services_message(run_steps):
    run = run_steps(
        [
            {
                "type": "update_field",
                "params": {"field": "contact.outreach_status", "value": "MAYBE"},
            }
        ],
    )
    assert run.status == AutomationExecution.Status.FAILED
    assert "outreach_status" in run.reason


def test_deals_are_created_copied_and_moved(run_steps, workspace, pat, deal, stage):
    onboarding = PipelineFactory(workspace=workspace, name="Onboarding", stages=["Kickoff", "Live"])
    run = run_steps(
        [
            {"type": "change_deal_stage", "params": {"stage_id": stage("Negotiation").pk}},
            {"type": "copy_deal", "params": {"pipeline_id": onboarding.pk}},
            {
                "type": "create_deal",
                "params": {
                    "pipeline_id": onboarding.pk,
                    "name": "{{prospect.name}} renewal",
                    "value": "500",
                },
            },
        ],
    )
    assert run.status == AutomationExecution.Status.COMPLETED
    deal.refresh_from_db()
    assert deal.stage.name == "Negotiation"
    copy = Deal.objects.get(pipeline=onboarding, custom_fields__copiedFromDeal=deal.pk)
    assert (copy.name, copy.value, copy.stage.name, copy.contact) == (
        deal.name,
        deal.value,
        "Kickoff",
        pat,
    )
    renewal = Deal.objects.get(name="Stripe renewal")
    assert renewal.value == Decimal("500") and renewal.contact == pat


def test_moving_a_deal_that_is_already_there_is_skipped(run_steps, deal, stage):
    deal_move_stage(deal=deal, stage=stage("Proposal"))
    run = run_steps(
        [{"type": "change_deal_stage", "params": {"stage_id": stage("Proposal").pk}}],
    )
    assert run.action_runs.get().status == AutomationActionRun.Status.SKIPPED


def test_messages_queue_a_task_with_the_text_for_the_rep(run_steps):
    run_steps(
        [
            {
                "type": "send_message",
                "params": {"channel": "linkedin", "body": "Hi {{contact.first_name}}!"},
            }
        ],
    )
    task = OutreachLog.objects.get(channel="linkedin")
    assert task.status == OutreachLog.Status.TOUCH_OPEN
    assert task.metadata["message"] == "Hi Pat!"
    assert task.log_type == OutreachLog.Type.LINKEDIN


def test_no_email_or_message_goes_to_a_contact_who_opted_out(run_steps, pat):
    pat.outreach_status = Contact.OutreachStatus.OPTED_OUT
    pat.save()
    run = run_steps(
        [
            {"type": "send_email", "params": {"subject": "Hi", "body": "Hello"}},
            {"type": "send_message", "params": {"body": "Hello"}},
        ],
    )
    assert not mail.outbox
    assert not OutreachLog.objects.exists()
    assert set(run.action_runs.values_list("status", flat=True)) == {
        AutomationActionRun.Status.SKIPPED
    }
    assert run.status == AutomationExecution.Status.COMPLETED


def test_admins_are_notified_with_a_link_to_the_run(run_steps, alice, bob):
    run = run_steps(
        [
            {
                "type": "notify_admins",
                "params": {
                    "title": "{{contact.full_name}} is ready",
                    "body": "At {{prospect.name}}",
                },
            }
        ],
    )
    notification = Notification.objects.get()
    assert notification.recipient == alice
    assert (notification.title, notification.body) == ("Pat Lee is ready", "At Stripe")
    assert notification.link == f"/automations/runs/{run.pk}/"


def test_a_deleted_tag_fails_the_step_with_a_clear_reason(automation, workspace, deal, background):
    doomed = TagFactory(workspace=workspace, name="doomed")
    trigger = TagFactory(workspace=workspace, name="go")
    automation(
        "tag.assigned",
        trigger_config={"tag_id": trigger.pk},
        actions=[{"type": "assign_tag", "params": {"tag_id": doomed.pk}}],
    )
    doomed.delete()
    with background():
        tag_assign(target=deal, tag=trigger)
    run = AutomationExecution.objects.get()
    assert run.status == AutomationExecution.Status.FAILED
    assert run.reason == "The tag was deleted; choose another one in the automation."


def test_enroll_in_sequence_enrolls_the_contact_once(run_steps, workspace, pat):
    from outreach.models import OutreachSequence
    from tests.factories import sequence_with_steps

    cadence = sequence_with_steps(workspace, {"channel": "call"}, name="Follow-up cadence")
    steps = [
        {"type": "enroll_in_sequence", "params": {"sequence_id": cadence.pk}},
        {"type": "enroll_in_sequence", "params": {"sequence_id": cadence.pk}},
    ]
    run = run_steps(steps)

    enrollment = OutreachSequence.objects.get(contact=pat)
    assert enrollment.template == cadence and enrollment.status == "active"
    first, second = AutomationActionRun.objects.filter(execution=run).order_by("action_index")
    assert first.status == AutomationActionRun.Status.SUCCEEDED
    assert first.result["enrollment"] == enrollment.pk
    # Already in the sequence: the repeat is skipped with the reason, the run goes on.
    assert second.status == AutomationActionRun.Status.SKIPPED
    assert run.status == AutomationExecution.Status.COMPLETED


def test_enroll_in_sequence_refuses_a_sequence_of_another_workspace(api, other_workspace):
    from tests.factories import sequence_with_steps

    foreign = sequence_with_steps(other_workspace, {"channel": "call"}, name="Theirs")
    response = api.post(
        "automations",
        {
            "name": "Enroll new contacts",
            "trigger_type": "contact.created",
            "actions": [{"type": "enroll_in_sequence", "params": {"sequence_id": foreign.pk}}],
        },
    )
    assert response.status_code == 422
    assert "No such sequence in this workspace." in str(response.json())
