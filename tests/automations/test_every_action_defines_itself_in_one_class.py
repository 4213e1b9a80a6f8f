"""Every action's class is its whole definition: the builder's fields are its parameters, a
stored step goes through the builder and back unchanged, and its sentence names what it uses."""

import pytest

from automations.actions import ACTIONS
from automations.forms import ActionForm, action_initial
from automations.options import WorkspaceOptions
from tests.factories import EmailTemplateFactory, PipelineFactory, SequenceTemplateFactory


@pytest.fixture
def onboarding(workspace):
    return PipelineFactory(workspace=workspace, name="Onboarding", stages=["Kickoff"])


@pytest.fixture
def cadence(workspace):
    return SequenceTemplateFactory(workspace=workspace, name="Follow-up cadence")


@pytest.fixture
def intro(workspace):
    return EmailTemplateFactory(workspace=workspace, name="Intro")


@pytest.fixture
def names(alice, hot, sales, stage, onboarding, cadence, intro):
    """What each record a step may point at is called, by parameter and id."""
    return {
        ("tag_id", hot.pk): "hot",
        ("stage_id", stage("Proposal").pk): "Proposal",
        ("pipeline_id", sales.pk): "Sales",
        ("pipeline_id", onboarding.pk): "Onboarding",
        ("sequence_id", cadence.pk): "Follow-up cadence",
        ("template_id", intro.pk): "Intro",
        ("assignee_id", alice.pk): "alice",
    }


@pytest.fixture
def samples(alice, hot, sales, stage, onboarding, cadence, intro):
    """Valid parameters for every action, with values other than the defaults."""
    proposal = stage("Proposal").pk
    return {
        "assign_tag": {"tag_id": hot.pk, "target": "deal"},
        "remove_tag": {"tag_id": hot.pk, "target": "prospect"},
        "change_deal_stage": {"stage_id": proposal},
        "create_task": {
            "subject": "Call {{contact.first_name}}",
            "channel": "email",
            "priority": "high",
            "due_in_hours": 48,
            "notes": "Ask about the renewal.",
            "assignee_id": alice.pk,
        },
        # The body comes from the template; the step writes its own subject.
        "send_email": {
            "template_id": intro.pk,
            "subject": "Quick question, {{contact.first_name}}",
        },
        "send_message": {"channel": "message", "body": "Congratulations on the launch!"},
        "update_field": {"field": "contact.title", "value": "VP Sales"},
        "create_deal": {
            "pipeline_id": sales.pk,
            "stage_id": proposal,
            "name": "{{prospect.name}} renewal",
            "value": "12000.50",
        },
        "copy_deal": {"pipeline_id": onboarding.pk},
        "enroll_in_sequence": {"sequence_id": cadence.pk},
        "call_webhook": {
            "url": "https://hooks.example.com/crm",
            "data": {"plan": "{{contact.custom_fields.plan}}", "source": "crm"},
        },
        "notify_admins": {"title": "{{deal.name}} reached Proposal", "body": "Have a look."},
    }


@pytest.fixture
def stored(samples, workspace):
    """The parameters as an automation stores them."""

    def make(action_type: str) -> dict:
        if action_type not in samples:
            pytest.fail(f"Give {action_type} sample parameters in this test's `samples`.")
        return ACTIONS[action_type].clean(samples[action_type], workspace=workspace)

    return make


def posted(form: ActionForm) -> dict[str, str]:
    """What a browser sends for the form as it was rendered."""
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else str(value)
    return data


@pytest.mark.parametrize("action_type", list(ACTIONS))
def test_its_form_fields_are_its_parameters(action_type, workspace):
    action = ACTIONS[action_type]
    fields = action.form_fields(WorkspaceOptions(workspace))
    assert set(fields) == set(action.Params.model_fields)


@pytest.mark.parametrize("action_type", list(ACTIONS))
def test_a_stored_step_goes_through_the_builder_unchanged(action_type, workspace, stored):
    action, params = ACTIONS[action_type], stored(action_type)
    step = {"type": action_type, "params": params, "delay_seconds": 2 * 3600}
    shown = ActionForm(
        prefix="actions-0", initial=action_initial(step), options=WorkspaceOptions(workspace)
    )

    sent = ActionForm(posted(shown), prefix="actions-0", options=WorkspaceOptions(workspace))

    assert sent.is_valid(), sent.errors
    again = sent.action()
    assert again["type"] == action_type and again["delay_seconds"] == 2 * 3600
    assert action.clean(again["params"], workspace=workspace) == params


@pytest.mark.parametrize("action_type", list(ACTIONS))
def test_its_sentence_names_what_it_uses(action_type, workspace, stored, names):
    params = stored(action_type)
    sentence = ACTIONS[action_type].describe(params, WorkspaceOptions(workspace))
    assert sentence
    for name, value in params.items():
        if name.endswith("_id") and value:
            assert names[(name, value)] in sentence, (name, sentence)
    assert "deleted" not in sentence and "former" not in sentence


@pytest.mark.parametrize("action_type", list(ACTIONS))
def test_the_builder_hands_out_its_row(action_type, alice_client):
    response = alice_client.get(
        "/automations/builder/action/", {"index": 3, "actions-3-type": action_type}
    )
    assert response.status_code == 200
    row = response.content.decode()
    for name in ACTIONS[action_type].Params.model_fields:
        assert f'name="actions-3-{name}"' in row
