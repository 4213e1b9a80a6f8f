"""Adding an action is writing its class and registering it: the builder offers it with its
fields, saves it, and the pages describe it, with no edit anywhere else."""

from typing import Annotated, Any

import pytest
from django import forms
from pydantic import Field

from automations.actions import ACTIONS, Action, ActionCall, Strict
from automations.actions.fields import area, pick
from automations.models import Automation
from automations.options import WorkspaceOptions


class ReviewParams(Strict):
    tag_id: Annotated[int, Field(ge=1)]
    note: Annotated[str, Field(max_length=500)] = ""


class FlagForReview(Action):
    """A toy action, known only to this test."""

    type = "flag_for_review"
    label = "Flag for review"
    Params = ReviewParams

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {
            "tag_id": pick(options.tags, "Review tag"),
            "note": area("Why", required=False, rows=2, max_length=500),
        }

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        tag = options.tag_name(params.get("tag_id"))
        return f"Flag for review as “{tag}”: {params.get('note') or 'no reason given'}"

    def perform(self, call: ActionCall) -> dict[str, Any]:
        return {"flagged": True}


@pytest.fixture
def flag_for_review(monkeypatch):
    # monkeypatch takes it out of the registry again after the test.
    monkeypatch.setitem(ACTIONS, FlagForReview.type, FlagForReview())


def test_the_builder_and_the_pages_take_a_newly_registered_action(
    flag_for_review, alice_client, hot
):
    row = alice_client.get(
        "/automations/builder/action/", {"index": 0, "actions-0-type": "flag_for_review"}
    ).content.decode()
    assert '<option value="flag_for_review" selected>Flag for review</option>' in row
    assert 'name="actions-0-tag_id"' in row and 'name="actions-0-note"' in row
    assert f'<option value="{hot.pk}">hot</option>' in row

    response = alice_client.post(
        "/automations/new/",
        {
            "name": "Review hot contacts",
            "trigger_type": "contact.created",
            "match": "and",
            "conditions-TOTAL_FORMS": "0",
            "conditions-INITIAL_FORMS": "0",
            "groups-TOTAL_FORMS": "0",
            "groups-INITIAL_FORMS": "0",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-type": "flag_for_review",
            "actions-0-tag_id": str(hot.pk),
            "actions-0-note": "Big company",
            "actions-0-delay_unit": "days",
        },
    )

    assert response.status_code == 302, response.context["actions"].errors
    automation = Automation.objects.get()
    assert automation.actions == [
        {
            "type": "flag_for_review",
            "params": {"tag_id": hot.pk, "note": "Big company"},
            "delay_seconds": 0,
        }
    ]
    sentence = "Flag for review as “hot”: Big company"
    assert sentence in alice_client.get("/automations/").content.decode()
    assert sentence in alice_client.get(f"/automations/{automation.pk}/").content.decode()
    edit = alice_client.get(f"/automations/{automation.pk}/edit/").content.decode()
    assert f'<option value="{hot.pk}" selected>hot</option>' in edit
    assert "Big company</textarea>" in edit
