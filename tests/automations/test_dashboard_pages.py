"""The automation pages: who sees what, the builder's errors on the form, and the buttons
that change runs."""

import pytest

from automations.models import Automation, AutomationExecution
from tests.factories import AutomationExecutionFactory, PipelineFactory


@pytest.fixture
def rule(automation, hot):
    return automation(
        name="Welcome new contacts",
        actions=[{"type": "assign_tag", "params": {"tag_id": hot.pk}}],
    )


def builder_post(**overrides):
    data = {
        "name": "Big deals",
        "description": "",
        "trigger_type": "deal.stage_changed",
        "match": "and",
        "conditions-TOTAL_FORMS": "0",
        "conditions-INITIAL_FORMS": "0",
        "groups-TOTAL_FORMS": "0",
        "groups-INITIAL_FORMS": "0",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-type": "create_task",
        "actions-0-subject": "Call {{contact.first_name}}",
        "actions-0-channel": "call",
        "actions-0-priority": "normal",
        "actions-0-due_in_hours": "0",
        "actions-0-delay_unit": "days",
    }
    data.update(overrides)
    return data


def test_a_rep_reads_automations_and_runs_but_cannot_change_them(bob_client, rule):
    page = bob_client.get("/automations/").content.decode()
    assert "Welcome new contacts" in page
    assert "New automation" not in page
    assert bob_client.get(f"/automations/{rule.pk}/").status_code == 200
    assert bob_client.get("/automations/new/").status_code == 403
    assert bob_client.get(f"/automations/{rule.pk}/edit/").status_code == 403
    assert bob_client.post(f"/automations/{rule.pk}/toggle/").status_code == 403
    rule.refresh_from_db()
    assert rule.enabled


def test_another_workspace_cannot_see_them(client, charlie, rule):
    client.force_login(charlie)
    run = AutomationExecutionFactory(automation=rule)
    assert client.get(f"/automations/{rule.pk}/").status_code == 404
    assert client.get(f"/automations/runs/{run.pk}/").status_code == 404
    assert client.post(f"/automations/{rule.pk}/delete/").status_code == 404
    assert "Welcome new contacts" not in client.get("/automations/").content.decode()


def test_the_builder_saves_an_automation(alice_client, workspace, sales, stage):
    response = alice_client.post(
        "/automations/new/",
        builder_post(
            pipeline_id=str(sales.pk),
            stage_id=str(stage("Proposal").pk),
            enabled="on",
            **{
                "conditions-TOTAL_FORMS": "2",
                "conditions-0-group": "0",
                "conditions-0-field": "deal.value",
                "conditions-0-operator": "gte",
                "conditions-0-value": "10,000",
                "conditions-1-group": "1",
                "conditions-1-field": "contact.title",
                "conditions-1-operator": "is_empty",
                "groups-TOTAL_FORMS": "1",
                "groups-0-op": "or",
                "actions-0-delay_amount": "3",
                "actions-0-delay_unit": "hours",
            },
        ),
    )
    automation = Automation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/automations/{automation.pk}/"
    assert automation.enabled
    assert automation.conditions == {
        "op": "and",
        "conditions": [
            {"field": "deal.value", "operator": "gte", "value": "10,000"},
            {
                "op": "or",
                "conditions": [{"field": "contact.title", "operator": "is_empty", "value": None}],
            },
        ],
    }
    assert automation.actions[0]["delay_seconds"] == 3 * 3600
    # The signing secret is shown once, on the page after saving.
    page = alice_client.get(response["Location"]).content.decode()
    assert automation.signing_secret in page
    assert automation.signing_secret not in alice_client.get(response["Location"]).content.decode()


def test_the_services_objections_are_shown_on_the_fields_they_concern(
    alice_client, workspace, sales, stage
):
    partners = PipelineFactory(workspace=workspace, name="Partners", stages=["Intro"])
    response = alice_client.post(
        "/automations/new/",
        builder_post(
            pipeline_id=str(partners.pk),
            stage_id=str(stage("Proposal").pk),
            **{
                "conditions-TOTAL_FORMS": "1",
                "conditions-0-group": "0",
                "conditions-0-field": "deal.colour",
                "conditions-0-operator": "equals",
                "conditions-0-value": "red",
                "actions-0-subject": "Call {{contact.frist_name}}",
            },
        ),
    )
    assert response.status_code == 422
    assert not Automation.objects.exists()
    context = response.context
    assert context["form"].errors["stage_id"] == ["That stage is not in the chosen pipeline."]
    assert context["root_rows"][0].errors["field"] == ["deal has no field 'colour'."]
    assert (
        "Unknown variable {{contact.frist_name}}"
        in context["actions"].forms[0].errors["subject"][0]
    )
    page = response.content.decode()
    assert "That stage is not in the chosen pipeline." in page
    assert "deal has no field" in page


def test_an_edit_keeps_runs_on_the_steps_they_started_with(alice_client, rule, hot):
    run = AutomationExecutionFactory(automation=rule, status=AutomationExecution.Status.WAITING)
    response = alice_client.post(
        f"/automations/{rule.pk}/edit/",
        builder_post(name="Welcome and call", trigger_type="contact.created"),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    run.refresh_from_db()
    assert rule.name == "Welcome and call"
    assert [a["type"] for a in rule.actions] == ["create_task"]
    assert [a["type"] for a in run.actions] == ["assign_tag"]


def test_the_builder_hands_out_rows_for_htmx(alice_client, hot):
    row = alice_client.get(
        "/automations/builder/action/", {"index": 3, "actions-3-type": "assign_tag"}
    )
    assert 'name="actions-3-tag_id"' in row.content.decode()
    condition = alice_client.get("/automations/builder/condition/", {"index": 2, "group": 1})
    assert 'name="conditions-2-field"' in condition.content.decode()
    assert 'value="1"' in condition.content.decode()
    group = alice_client.get("/automations/builder/group/", {"index": 0})
    assert "Group 1" in group.content.decode()


def test_an_update_field_row_brings_its_own_field_suggestions(alice_client):
    row = alice_client.get(
        "/automations/builder/action/", {"index": 1, "actions-1-type": "update_field"}
    ).content.decode()
    assert 'list="id_actions-1-field-suggestions"' in row
    assert '<datalist id="id_actions-1-field-suggestions">' in row
    assert '<option value="deal.value">' in row


def test_turning_off_and_deleting(alice_client, rule):
    alice_client.post(f"/automations/{rule.pk}/toggle/", {"next": "list"})
    rule.refresh_from_db()
    assert rule.enabled is False
    response = alice_client.post(f"/automations/{rule.pk}/delete/")
    assert response.status_code == 302
    assert not Automation.objects.exists()


def test_stopping_and_retrying_runs_from_their_page(alice_client, rule):
    waiting = AutomationExecutionFactory(
        automation=rule, status=AutomationExecution.Status.WAITING, next_action_index=0
    )
    page = alice_client.get(f"/automations/runs/{waiting.pk}/").content.decode()
    assert "Stop run" in page
    alice_client.post(f"/automations/runs/{waiting.pk}/stop/")
    waiting.refresh_from_db()
    assert waiting.status == AutomationExecution.Status.CANCELLED
    assert waiting.stopped_by.username == "alice"

    failed = AutomationExecutionFactory(
        automation=rule,
        status=AutomationExecution.Status.FAILED,
        next_action_index=0,
        failed_action_index=0,
        reason="The tag was deleted",
    )
    page = alice_client.get(f"/automations/runs/{failed.pk}/").content.decode()
    assert "Retry from step 1" in page and "The tag was deleted" in page
    alice_client.post(f"/automations/runs/{failed.pk}/retry/")
    failed.refresh_from_db()
    assert failed.status == AutomationExecution.Status.RUNNING
    # Retrying twice is refused with a message, not an error page.
    response = alice_client.post(f"/automations/runs/{failed.pk}/retry/", follow=True)
    assert "Only a failed run can be retried." in response.content.decode()


def test_a_dry_run_shows_what_would_happen(alice_client, automation, deal, stage, sales, hot):
    rule = automation(
        "deal.stage_changed",
        trigger_config={"pipeline_id": sales.pk},
        conditions={
            "op": "and",
            "conditions": [{"field": "deal.value", "operator": "gt", "value": 10000}],
        },
        actions=[{"type": "create_task", "params": {"subject": "Call {{contact.first_name}}"}}],
    )
    response = alice_client.post(
        f"/automations/{rule.pk}/dry-run/",
        {"deal_id": deal.pk, "from_stage_id": stage("Qualification").pk},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "It would run." in page
    assert "Call Pat" in page
    assert "is greater than" in page
    assert not rule.executions.exists()
