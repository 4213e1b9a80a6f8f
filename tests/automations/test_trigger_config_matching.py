"""The trigger filter: which events of its type an automation listens to."""

import pytest

from automations.conditions import matches_trigger_config

SALES, PARTNERS = 11, 12
PROPOSAL, NEGOTIATION = 21, 22
HOT, COLD = 31, 32


def stage_changed(pipeline: int, stage: int) -> dict:
    return {
        "deal": {"id": 5, "name": "Stripe expansion", "value": "12000.00"},
        "pipeline": {"id": pipeline, "name": "Sales"},
        "stage": {"id": stage, "name": "Proposal"},
        "from_stage": {"id": 20, "name": "Qualification"},
    }


def tagged(tag: int) -> dict:
    return {"contact": {"id": 7, "name": "Pat Doe"}, "tag": {"id": tag, "name": "hot"}}


def matches(trigger_type: str, config: dict, payload: dict, event_type: str | None = None):
    return matches_trigger_config(
        trigger_type=trigger_type,
        config=config,
        event_type=event_type or trigger_type,
        payload=payload,
    )


@pytest.mark.parametrize(
    ("config", "payload", "expected"),
    [
        ({"pipeline_id": SALES}, stage_changed(SALES, PROPOSAL), True),
        ({"pipeline_id": SALES}, stage_changed(PARTNERS, PROPOSAL), False),
        ({"pipeline_id": SALES, "stage_id": PROPOSAL}, stage_changed(SALES, PROPOSAL), True),
        ({"pipeline_id": SALES, "stage_id": PROPOSAL}, stage_changed(SALES, NEGOTIATION), False),
        ({"pipeline_id": SALES, "stage_id": PROPOSAL}, stage_changed(PARTNERS, PROPOSAL), False),
        ({}, stage_changed(PARTNERS, NEGOTIATION), True),
    ],
    ids=[
        "pipeline-matches",
        "pipeline-differs",
        "pipeline-and-stage-match",
        "stage-differs",
        "pipeline-differs-same-stage",
        "no-filter-matches-all",
    ],
)
def test_a_stage_change_matches_its_pipeline_and_stage_filter(config, payload, expected):
    assert matches("deal.stage_changed", config, payload) is expected


@pytest.mark.parametrize(
    ("config", "tag", "expected"),
    [({"tag_id": HOT}, HOT, True), ({"tag_id": HOT}, COLD, False), ({}, COLD, True)],
    ids=["tag-matches", "tag-differs", "no-tag-filter"],
)
def test_a_tag_event_matches_its_tag_filter(config, tag, expected):
    assert matches("tag.assigned", config, tagged(tag)) is expected
    assert matches("tag.removed", config, tagged(tag)) is expected


def test_a_new_deal_in_another_pipeline_does_not_match():
    payload = stage_changed(PARTNERS, PROPOSAL)
    assert matches("deal.created", {"pipeline_id": SALES}, payload) is False
    assert matches("deal.created", {"pipeline_id": PARTNERS}, payload) is True


def test_a_field_change_matches_its_field_name():
    payload = {"contact": {"id": 7}, "field": {"name": "contact.title", "old": "", "new": "CEO"}}
    assert matches("field.changed", {"field": "contact.title"}, payload) is True
    assert matches("field.changed", {"field": "Contact.Title"}, payload) is True
    assert matches("field.changed", {"field": "contact.phone"}, payload) is False
    assert matches("field.changed", {}, payload) is True


def test_received_messages_and_completed_tasks_always_match():
    message = {"contact": {"id": 7}, "message": {"channel": "email", "body": "Sounds good"}}
    task = {"task": {"id": 3, "subject": "Call Pat", "channel": "call"}}
    assert matches("message.received", {}, message) is True
    assert matches("task.completed", {}, task) is True
    # Filters a trigger does not have are ignored rather than silently never matching.
    assert matches("task.completed", {"pipeline_id": SALES}, task) is True


def test_a_message_channel_and_keyword_filter():
    payload = {
        "message": {"channel": "email", "body": "What is the pricing?"},
        "keyword": "pricing",
    }
    assert matches("message.received", {"channel": "email"}, payload) is True
    assert matches("message.received", {"channel": "linkedin"}, payload) is False
    assert matches("message.keyword_match", {"keyword": "Pricing"}, payload) is True
    assert matches("message.keyword_match", {"keyword": "demo"}, payload) is False


def test_an_event_of_another_type_never_matches():
    assert (
        matches("deal.created", {}, stage_changed(SALES, PROPOSAL), "deal.stage_changed") is False
    )
