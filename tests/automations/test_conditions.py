"""Conditions: AND/OR groups over the event and fresh copies of the records it names."""

import pytest

from automations.conditions import clean_condition_group, conditions_met, conditions_trace
from automations.context import RuleContext
from automations.events import payload_for
from config.errors import ValidationFailed


@pytest.fixture
def context(deal, pat, hot, stage):
    pat.tags.add(hot)
    pat.custom_fields = {"plan": "Pro", "seats": "25"}
    pat.save()
    deal.stage = stage("Proposal")
    deal.save()

    def make(event_type="deal.stage_changed", **data):
        payload = payload_for(record=deal, data=data or {"from_stage": stage("Qualification")})
        return RuleContext(workspace_id=deal.workspace_id, event_type=event_type, payload=payload)

    return make


def check(context, *conditions, op="and", **kwargs) -> bool:
    return conditions_met({"op": op, "conditions": list(conditions)}, context(**kwargs))


def c(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (c("deal.value", "gt", 10000), True),
        (c("deal.value", "gt", "12,000"), False),
        (c("deal.value", "gte", "12,000"), True),
        (c("deal.value", "lt", 5000), False),
        (c("deal.value", "lte", 12000), True),
        (c("deal.value", "equals", "12000.00"), True),
        (c("contact.first_name", "equals", "pat"), True),
        (c("contact.first_name", "not_equals", "Pat"), False),
        (c("contact.email", "contains", "@stripe."), True),
        (c("contact.email", "not_contains", "gmail"), True),
        (c("contact.title", "in", "CEO, Head of Sales"), True),
        (c("contact.title", "in", ["CEO", "CFO"]), False),
        (c("contact.title", "not_in", ["CEO", "CFO"]), True),
        (c("contact.phone", "is_empty"), True),
        (c("contact.email", "is_not_empty"), True),
        (c("contact.tags", "contains", "HOT"), True),
        (c("contact.tags", "equals", "cold"), False),
        (c("contact.custom_fields.plan", "equals", "pro"), True),
        (c("contact.custom_fields.seats", "gt", 20), True),
        (c("contact.custom_fields.missing", "is_empty"), True),
        (c("deal.stage", "equals", "proposal"), True),
        (c("deal.pipeline", "equals", "Sales"), True),
        (c("prospect.name", "equals", "Stripe"), True),
        (c("event.from_stage.name", "equals", "Qualification"), True),
        (c("deal.stage", "changed_to", "Proposal"), True),
        (c("deal.stage", "changed_from", "Qualification"), True),
        (c("deal.stage", "changed_to", "Negotiation"), False),
        (c("contact.first_name", "gt", 3), False),
    ],
)
def test_each_operator(context, condition, expected):
    # The event: Stripe expansion (12,000) moved from Qualification to Proposal.
    assert check(context, condition) is expected


def test_changed_to_reads_the_field_change_of_the_event(context):
    change = {"field": {"name": "contact.title", "old": "VP Sales", "new": "CEO"}}
    ctx = dict(event_type="field.changed", **change)
    assert check(context, c("contact.title", "changed_to", "ceo"), **ctx) is True
    assert check(context, c("contact.title", "changed_from", "VP Sales"), **ctx) is True
    assert check(context, c("contact.phone", "changed_to", "CEO"), **ctx) is False


def test_and_or_groups_nest(context):
    big = c("deal.value", "gt", 10000)
    small = c("deal.value", "lt", 100)
    cfo = c("contact.title", "equals", "CFO")
    sales_head = c("contact.title", "equals", "Head of Sales")
    assert check(context, big, {"op": "or", "conditions": [cfo, sales_head]}) is True
    assert check(context, big, {"op": "or", "conditions": [cfo, small]}) is False
    assert check(context, small, {"op": "and", "conditions": [big, sales_head]}, op="or")
    assert check(context) is True  # no conditions: always


def test_records_are_read_fresh(context, deal):
    ctx = context()
    deal.value = 50
    deal.save()
    # The event said 12000.00; the rule reads the deal as it is now.
    assert ctx.payload["deal"]["value"] == "12000.00"
    assert conditions_met({"op": "and", "conditions": [c("deal.value", "lt", 100)]}, ctx)


def test_a_trace_shows_what_was_read(context):
    met, trace = conditions_trace(
        {
            "op": "and",
            "conditions": [c("deal.value", "gt", 20000), c("contact.first_name", "equals", "Pat")],
        },
        context(),
    )
    assert met is False
    assert [(t["actual"], t["met"]) for t in trace] == [("12000.00", False), ("Pat", True)]


def test_bad_conditions_are_refused_with_the_place_of_each_problem():
    with pytest.raises(ValidationFailed) as error:
        clean_condition_group(
            {
                "op": "xor",
                "conditions": [
                    c("deal.colour", "equals", "red"),
                    c("deal.value", "gt", "lots"),
                    {"op": "or", "conditions": [c("contact.title", "equals", "")]},
                    {"op": "or", "conditions": [{"op": "and", "conditions": []}]},
                    c("contact.title", "resembles", "CEO"),
                ],
            }
        )
    assert error.value.field_errors == {
        "conditions.op": ["Combine conditions with 'and' or 'or'."],
        "conditions.0.field": ["deal has no field 'colour'."],
        "conditions.1.value": ["Give a number."],
        "conditions.2.conditions.0.value": ["Give a value to compare with."],
        "conditions.3.conditions.0": ["Groups can hold conditions, not further groups."],
        "conditions.4.operator": [
            "Choose an operator (equals, not_equals, contains, not_contains, in, not_in, gt, "
            "gte, lt, lte, is_empty, is_not_empty, changed_to, changed_from)."
        ],
    }
