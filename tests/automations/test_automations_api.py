"""The automations REST API: build rules, switch them, dry-run them, and read, stop or retry
their runs."""

from automations.models import Automation, AutomationExecution
from outreach.crm.services.tags import tag_assign
from tests.factories import AutomationExecutionFactory, PipelineFactory


def big_deal_rule(sales, stage, hot, **extra):
    return {
        "name": "Big deals at Proposal",
        "trigger_type": "deal.stage_changed",
        "trigger_config": {"pipeline_id": sales.pk, "stage_id": stage("Proposal").pk},
        "conditions": {
            "op": "and",
            "conditions": [
                {"field": "deal.value", "operator": "gt", "value": 10000},
                {
                    "op": "or",
                    "conditions": [
                        {"field": "contact.title", "operator": "contains", "value": "Head"},
                        {"field": "contact.title", "operator": "equals", "value": "CEO"},
                    ],
                },
            ],
        },
        "actions": [
            {"type": "assign_tag", "params": {"tag_id": hot.pk, "target": "contact"}},
            {
                "type": "create_task",
                "params": {"subject": "Call {{contact.first_name}}", "priority": "high"},
                "delay_seconds": 172800,
            },
            {"type": "call_webhook", "params": {"url": "https://hooks.example.com/crm"}},
        ],
        "enabled": True,
        **extra,
    }


def test_an_admin_creates_an_automation_and_sees_its_secret_once(api, sales, stage, hot):
    response = api.post("automations", big_deal_rule(sales, stage, hot))
    assert response.status_code == 201, response.json()
    body = response.json()
    automation = Automation.objects.get(pk=body["id"])
    assert body["signing_secret"] == automation.signing_secret
    assert body["actions"][1] == {
        "type": "create_task",
        "params": {
            "subject": "Call {{contact.first_name}}",
            "channel": "call",
            "priority": "high",
            "due_in_hours": 0,
            "notes": "",
            "assignee_id": None,
        },
        "delay_seconds": 172800,
    }
    fetched = api.get(f"automations/{automation.pk}").json()
    assert "signing_secret" not in fetched
    assert fetched["signing_secret_hint"] == automation.signing_secret[:10] + "…"
    listed = api.get("automations").json()
    assert listed["count"] == 1 and listed["items"][0]["active_run_count"] == 0


def test_invalid_rules_get_422_with_the_place_of_each_problem(api, workspace, sales, stage, hot):
    partners = PipelineFactory(workspace=workspace, name="Partners")
    rule = big_deal_rule(sales, stage, hot)
    rule["trigger_config"]["pipeline_id"] = partners.pk
    rule["conditions"]["conditions"][0]["field"] = "deal.colour"
    rule["actions"][1]["params"]["subject"] = "Call {{contatc.first_name}}"
    response = api.post("automations", rule)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["trigger_config.stage_id"] == ["That stage is not in the chosen pipeline."]
    assert errors["conditions.0.field"] == ["deal has no field 'colour'."]
    assert "Unknown variable {{contatc.first_name}}" in errors["actions.1.params.subject"][0]
    assert not Automation.objects.exists()


def test_a_filter_the_trigger_does_not_have_is_refused(api, sales, stage, hot):
    rule = big_deal_rule(sales, stage, hot, trigger_type="contact.created")
    response = api.post("automations", rule)
    assert response.status_code == 422
    assert (
        "cannot be filtered by pipeline_id"
        in response.json()["errors"]["trigger_config.pipeline_id"][0]
    )


def test_a_rep_can_read_but_not_change(rep_api, api, sales, stage, hot):
    assert rep_api.post("automations", big_deal_rule(sales, stage, hot)).status_code == 403
    automation_id = api.post("automations", big_deal_rule(sales, stage, hot)).json()["id"]
    assert rep_api.get(f"automations/{automation_id}").status_code == 200
    assert rep_api.post(f"automations/{automation_id}/disable").status_code == 403
    assert rep_api.delete(f"automations/{automation_id}").status_code == 403


def test_patch_enable_disable_and_rotate_the_secret(api, sales, stage, hot):
    automation_id = api.post("automations", big_deal_rule(sales, stage, hot)).json()["id"]
    assert api.post(f"automations/{automation_id}/disable").json()["enabled"] is False
    assert api.post(f"automations/{automation_id}/enable").json()["enabled"] is True
    patched = api.patch(f"automations/{automation_id}", {"name": "Renamed", "enabled": False})
    assert (patched.json()["name"], patched.json()["enabled"]) == ("Renamed", False)
    old = Automation.objects.get(pk=automation_id).signing_secret
    new = api.post(f"automations/{automation_id}/signing-secret").json()["signing_secret"]
    assert new != old and Automation.objects.get(pk=automation_id).signing_secret == new
    assert api.delete(f"automations/{automation_id}").status_code == 204
    assert api.get(f"automations/{automation_id}").status_code == 404


def test_a_dry_run_reports_the_filter_conditions_and_filled_in_steps(
    api, sales, stage, hot, deal, pat
):
    pat.title = "CEO"
    pat.save()
    deal.stage = stage("Proposal")
    deal.save()
    automation_id = api.post("automations", big_deal_rule(sales, stage, hot)).json()["id"]
    response = api.post(
        f"automations/{automation_id}/dry-run",
        {"deal_id": deal.pk, "from_stage_id": stage("Qualification").pk},
    )
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["matches_trigger"] and result["conditions_met"] and result["would_run"]
    assert [c["met"] for c in result["conditions"]] == [True, False, True]
    assert result["actions"][1]["filled_in"] == {"subject": "Call Pat"}
    assert result["event"]["payload"]["from_stage"]["name"] == "Qualification"
    assert not AutomationExecution.objects.exists()

    qualification = stage("Qualification")
    deal.stage = qualification
    deal.save()
    result = api.post(f"automations/{automation_id}/dry-run", {"deal_id": deal.pk}).json()
    assert result["matches_trigger"] is False and result["would_run"] is False


def test_the_history_shows_each_runs_log_and_lineage(
    api, automation, workspace, pat, hot, background
):
    from tests.factories import TagFactory

    vip = TagFactory(workspace=workspace, name="vip")
    first = automation(
        "tag.assigned",
        name="Hot means VIP",
        trigger_config={"tag_id": hot.pk},
        actions=[{"type": "assign_tag", "params": {"tag_id": vip.pk}}],
    )
    second = automation(
        "tag.assigned",
        name="Welcome VIPs",
        trigger_config={"tag_id": vip.pk},
        actions=[{"type": "notify_admins", "params": {"title": "{{contact.full_name}} is a VIP"}}],
    )
    with background():
        tag_assign(target=pat, tag=hot)

    runs = api.get("automations/executions").json()["items"]
    assert [(r["automation_name"], r["status"], r["cascade_depth"]) for r in runs] == [
        ("Welcome VIPs", "completed", 1),
        ("Hot means VIP", "completed", 0),
    ]
    child, parent = runs
    assert child["trigger_event"]["caused_by_execution_id"] == parent["id"]
    assert child["trigger_event"]["caused_by_action_index"] == 0
    assert child["action_log"][0]["action_type"] == "notify_admins"
    assert child["action_log"][0]["status"] == "succeeded"
    assert child["action_log"][0]["result"] == {"notified": 1}
    detail = api.get(f"automations/executions/{parent['id']}").json()
    assert [(e["event_type"], [r["id"] for r in e["runs"]]) for e in detail["caused_events"]] == [
        ("tag.assigned", [child["id"]])
    ]
    only_first = api.get("automations/executions", automation_id=first.pk).json()
    assert [r["id"] for r in only_first["items"]] == [parent["id"]]
    assert second.pk != first.pk


def test_stop_and_retry_through_the_api(api, automation, hot):
    rule = automation(actions=[{"type": "assign_tag", "params": {"tag_id": hot.pk}}])
    waiting = AutomationExecutionFactory(
        automation=rule, status=AutomationExecution.Status.WAITING, next_action_index=0
    )
    stopped = api.post(f"automations/executions/{waiting.pk}/cancel").json()
    assert stopped["status"] == "cancelled" and stopped["reason"] == "Stopped by an integration."
    assert api.post(f"automations/executions/{waiting.pk}/cancel").status_code == 409
    assert api.post(f"automations/executions/{waiting.pk}/retry").status_code == 409


def test_the_catalog_lists_triggers_operators_and_action_parameters(api):
    catalog = api.get("automations/catalog").json()
    assert {
        "type": "deal.stage_changed",
        "label": "A deal moves to another stage",
        "filters": ["pipeline_id", "stage_id"],
    } in catalog["triggers"]
    assert catalog["operators"]["gt"] == "is greater than"
    webhook = next(a for a in catalog["actions"] if a["type"] == "call_webhook")
    assert "url" in webhook["params"]["properties"]
