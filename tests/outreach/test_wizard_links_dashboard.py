"""Wizard links on the prospect page: create, copy, revoke, and the prospect's progress."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outreach.models import WizardLink, WizardSession
from tests.factories import ProspectFactory, WizardLinkFactory


def test_a_rep_creates_a_link_and_sees_it_ready_to_copy(bob_client, workspace, bob):
    prospect = ProspectFactory(workspace=workspace, name="Mercury")

    response = bob_client.post(f"/prospects/{prospect.pk}/wizard-links/", follow=True)

    link = WizardLink.objects.get(prospect=prospect)
    assert link.created_by == bob
    page = response.content.decode()
    assert "New wizard link for Mercury" in page
    assert f'value="http://127.0.0.1:8000/w/{link.token}/"' in page
    assert ">Copy</button>" in page
    assert "Not opened yet" in page


def test_the_panel_shows_how_far_the_prospect_got(alice_client, workspace):
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace))
    WizardSession.objects.filter(link=link).update(
        max_step=3, pdf_downloads=2, last_visit_at=timezone.now()
    )
    page = alice_client.get(f"/prospects/{link.prospect_id}/").content.decode()
    assert "Reached step 3 of 4" in page
    assert "last visit now" in page
    assert "2 PDF downloads" in page
    assert page.count('class="reached"') == 3


def test_revoking_from_the_page_stops_the_link(bob_client, workspace, prospect_client):
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace, name="Plaid"))

    page = bob_client.post(f"/wizard-links/{link.pk}/revoke/", follow=True).content.decode()

    assert "The wizard link for Plaid no longer opens." in page
    assert "Revoked" in page
    assert prospect_client.get(f"/w/{link.token}/").status_code == 404


def test_a_link_of_another_workspace_cannot_be_revoked(bob_client, other_workspace):
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=other_workspace))
    assert bob_client.post(f"/wizard-links/{link.pk}/revoke/").status_code == 404
    assert bob_client.post(f"/prospects/{link.prospect_id}/wizard-links/").status_code == 404
    assert WizardLink.objects.get(pk=link.pk).is_active
    assert WizardLink.objects.count() == 1


def test_the_panel_costs_the_same_queries_for_one_link_or_many(alice_client, workspace):
    few, many = ProspectFactory(workspace=workspace), ProspectFactory(workspace=workspace)
    WizardLinkFactory(prospect=few)
    for _ in range(12):
        WizardLinkFactory(prospect=many)
    alice_client.get("/")

    with CaptureQueriesContext(connection) as one_link:
        alice_client.get(f"/prospects/{few.pk}/")
    with CaptureQueriesContext(connection) as twelve_links:
        response = alice_client.get(f"/prospects/{many.pk}/")

    assert response.content.decode().count('class="wizard-link"') == 12
    assert len(twelve_links.captured_queries) == len(one_link.captured_queries)
