"""Fixtures for automation tests: a small CRM (the Sales pipeline, Stripe, Pat) and a way to run
what is queued after commit, as workers would."""

from decimal import Decimal

import pytest

from automations.models import Automation, AutomationExecution, TriggerType
from automations.services import automation_create
from outreach.crm.services.tags import tag_assign
from tests.factories import (
    ContactFactory,
    DealFactory,
    PipelineFactory,
    ProspectFactory,
    TagFactory,
)


@pytest.fixture
def sales(workspace):
    return PipelineFactory(
        workspace=workspace,
        name="Sales",
        stages=["Qualification", "Proposal", "Negotiation", "Closed Won"],
    )


@pytest.fixture
def stage(sales):
    return lambda name: sales.stages.get(name=name)


@pytest.fixture
def stripe(workspace, alice):
    return ProspectFactory(workspace=workspace, name="Stripe", domain="stripe.com", owner=alice)


@pytest.fixture
def pat(stripe):
    return ContactFactory(
        prospect=stripe, first_name="Pat", last_name="Lee", email="pat@stripe.com"
    )


@pytest.fixture
def deal(stripe, pat, sales):
    return DealFactory(
        prospect=stripe,
        contact=pat,
        pipeline=sales,
        name="Stripe expansion",
        value=Decimal("12000"),
    )


@pytest.fixture
def hot(workspace):
    return TagFactory(workspace=workspace, name="hot")


@pytest.fixture
def background(django_capture_on_commit_callbacks):
    """Run, after the block, what the block queued for after commit (and what that queued)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def automation(workspace, alice):
    """Build an enabled automation through the service, as the builder and the API do."""

    def make(trigger_type=TriggerType.CONTACT_CREATED, actions=(), **fields):
        fields.setdefault("name", f"Rule {Automation.objects.count() + 1}")
        return automation_create(
            workspace=workspace,
            trigger_type=trigger_type,
            actions=list(actions),
            enabled=True,
            by=alice,
            **fields,
        )

    return make


@pytest.fixture
def run_steps(automation, workspace, deal, background):
    """Run these steps for Pat's deal (tagging it "go" triggers them); returns the run."""

    def run(actions):
        trigger = TagFactory(workspace=workspace, name="go")
        automation("tag.assigned", trigger_config={"tag_id": trigger.pk}, actions=actions)
        with background():
            tag_assign(target=deal, tag=trigger)
        return AutomationExecution.objects.order_by("pk").first()

    return run
