"""The CRM's services write automation events in the transaction of the change, only when an
enabled automation listens, and dispatch them after commit."""

from decimal import Decimal

import pytest
from django.db import transaction

from automations.events import emit_message_received
from automations.models import AutomationEvent
from outreach.crm.services.deals import deal_create, deal_move_stage, deal_update
from outreach.crm.services.prospects import contact_create, contact_update, prospect_update
from outreach.crm.services.tags import tag_assign, tag_remove
from outreach.crm.services.tasks import touch_task_complete, touch_task_skip
from tests.factories import TouchTaskFactory

NOTIFY = [{"type": "notify_admins", "params": {"title": "Something happened"}}]


def listen(automation, trigger_type, **config):
    return automation(trigger_type, trigger_config=config, actions=NOTIFY)


def event(event_type: str) -> AutomationEvent:
    return AutomationEvent.objects.get(event_type=event_type)


def test_nothing_is_written_when_no_automation_listens(workspace, deal, pat, hot, stage):
    deal_move_stage(deal=deal, stage=stage("Proposal"))
    tag_assign(target=pat, tag=hot)
    contact_update(contact=pat, changes={"title": "CEO"})
    assert not AutomationEvent.objects.exists()


def test_a_disabled_automation_does_not_listen(automation, deal, stage):
    rule = listen(automation, "deal.stage_changed")
    rule.enabled = False
    rule.save()
    deal_move_stage(deal=deal, stage=stage("Proposal"))
    assert not AutomationEvent.objects.exists()


def test_moving_a_deal_emits_the_stage_change_with_names(automation, deal, stage, sales, pat):
    listen(automation, "deal.stage_changed")
    deal_move_stage(deal=deal, stage=stage("Proposal"))
    payload = event("deal.stage_changed").payload
    assert payload["deal"] == {"id": deal.pk, "name": "Stripe expansion", "value": "12000.00"}
    assert payload["pipeline"] == {"id": sales.pk, "name": "Sales"}
    assert payload["stage"]["name"] == "Proposal"
    assert payload["from_stage"]["name"] == "Qualification"
    assert payload["contact"] == {"id": pat.pk, "name": "Pat Lee", "email": "pat@stripe.com"}
    assert payload["prospect"]["name"] == "Stripe"
    assert event("deal.stage_changed").cascade_depth == 0


def test_a_filter_that_rejects_the_event_means_no_row(automation, deal, stage, sales):
    listen(automation, "deal.stage_changed", stage_id=stage("Closed Won").pk)
    deal_move_stage(deal=deal, stage=stage("Proposal"))
    assert not AutomationEvent.objects.exists()
    deal_move_stage(deal=deal, stage=stage("Closed Won"))
    assert AutomationEvent.objects.count() == 1


def test_a_rolled_back_change_leaves_no_event(automation, deal, stage):
    listen(automation, "deal.stage_changed")
    with pytest.raises(RuntimeError), transaction.atomic():
        deal_move_stage(deal=deal, stage=stage("Proposal"))
        raise RuntimeError("the request failed after the move")
    assert not AutomationEvent.objects.exists()


def test_the_event_is_dispatched_only_after_commit(
    automation, deal, stage, django_capture_on_commit_callbacks
):
    listen(automation, "deal.stage_changed")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deal_move_stage(deal=deal, stage=stage("Proposal"))
        assert event("deal.stage_changed").status == AutomationEvent.Status.PENDING
    assert len(callbacks) == 1


def test_tags_contacts_and_new_deals_emit(automation, workspace, stripe, pat, hot, sales):
    for trigger in ("tag.assigned", "tag.removed", "contact.created", "deal.created"):
        listen(automation, trigger)
    tag_assign(target=pat, tag=hot)
    tag_remove(target=pat, tag=hot)
    contact_create(workspace=workspace, prospect=stripe, first_name="Dana")
    deal_create(workspace=workspace, pipeline=sales, prospect=stripe, name="Stripe Treasury")
    assert event("tag.assigned").payload["tag"] == {"id": hot.pk, "name": "hot"}
    assert event("tag.assigned").payload["target"] == "contact"
    assert event("tag.removed").payload["contact"]["id"] == pat.pk
    assert event("contact.created").payload["contact"]["name"] == "Dana"
    assert event("deal.created").payload["stage"]["name"] == "Qualification"


def test_each_changed_field_is_its_own_event(automation, pat, stripe, deal):
    listen(automation, "field.changed")
    pat.custom_fields = {"plan": "free"}
    pat.save()
    contact_update(
        contact=pat, changes={"title": "CFO", "custom_fields": {"plan": "pro", "seats": 20}}
    )
    prospect_update(prospect=stripe, changes={"status": "ENGAGED"})
    deal.refresh_from_db()
    deal_update(deal=deal, changes={"value": Decimal("15000.00")})
    fields = {
        e.payload["field"]["name"]: (e.payload["field"]["old"], e.payload["field"]["new"])
        for e in AutomationEvent.objects.all()
    }
    assert fields == {
        "contact.title": ("Head of Sales", "CFO"),
        "contact.custom_fields.plan": ("free", "pro"),
        "contact.custom_fields.seats": (None, 20),
        "prospect.status": ("NEW", "ENGAGED"),
        "deal.value": ("12000.00", "15000.00"),
    }


def test_completing_a_task_emits_but_skipping_it_does_not(automation, stripe, pat, alice):
    listen(automation, "task.completed")
    done = TouchTaskFactory(prospect=stripe, contact=pat, subject="Call Pat")
    skipped = TouchTaskFactory(prospect=stripe, contact=pat)
    touch_task_complete(task=done, by=alice, outcome="Booked a demo")
    touch_task_skip(task=skipped, by=alice)
    payload = event("task.completed").payload
    assert payload["task"]["subject"] == "Call Pat"
    assert payload["task"]["outcome"] == "Booked a demo"
    assert payload["contact"]["id"] == pat.pk


def test_a_message_emits_received_and_the_keywords_automations_listen_for(automation, pat):
    listen(automation, "message.received")
    listen(automation, "message.keyword_match", keyword="pricing")
    listen(automation, "message.keyword_match", keyword="unsubscribe")
    events = emit_message_received(
        contact=pat, channel="email", subject="Re: intro", body="Can you send Pricing details?"
    )
    assert [e.event_type for e in events] == ["message.received", "message.keyword_match"]
    assert events[1].payload["keyword"] == "pricing"
    assert events[0].payload["message"]["body"] == "Can you send Pricing details?"
    # A keyword inside another word does not count.
    assert len(emit_message_received(contact=pat, channel="email", body="repricing")) == 1
