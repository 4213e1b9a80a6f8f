"""A webhook connects to the address the guard checked: a DNS answer that changes between the
check and the connection (rebinding) cannot make the call reach our own network."""

from automations.models import AutomationExecution
from outreach.crm.services.prospects import contact_create
from tests import test_outbound_rebinding as rebinding
from tests.test_outbound_rebinding import PUBLIC, url_of

# The loopback service, the scripted resolver and the guard switched on, shared with research's.
guarded = rebinding.guarded
internal_service = rebinding.internal_service
resolver = rebinding.resolver


def test_a_webhook_cannot_be_rebound_to_loopback(
    guarded, resolver, internal_service, automation, workspace, stripe, background
):
    resolver([PUBLIC], ["127.0.0.1"])
    automation(
        name="Tell the data warehouse",
        actions=[{"type": "call_webhook", "params": {"url": url_of(internal_service, "/hook")}}],
    )
    with background():
        contact_create(workspace=workspace, prospect=stripe, first_name="Dana")
    run = AutomationExecution.objects.latest("pk")
    assert run.status == AutomationExecution.Status.FAILED
    assert "private or local address (127.0.0.1)" in run.reason
    assert internal_service.visits == []
