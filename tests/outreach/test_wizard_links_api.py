"""Wizard links through the API: reps create, list, read and revoke them and see progress."""

from outreach.models import WizardLink, WizardSession
from tests.factories import ProspectFactory, WizardLinkFactory


def test_a_rep_creates_a_link_and_sends_its_url(rep_api, workspace, prospect_client):
    prospect = ProspectFactory(workspace=workspace, name="Ramp")
    response = rep_api.post(f"prospects/{prospect.pk}/wizard-links")

    assert response.status_code == 201, response.json()
    body = response.json()
    link = WizardLink.objects.get(pk=body["id"])
    assert body["url"] == f"http://127.0.0.1:8000/w/{link.token}/"
    assert body["is_active"] is True
    assert body["max_step"] == 0 and body["step_count"] == 4 and body["pdf_downloads"] == 0
    assert body["created_by"] == ""  # an API key, not a person
    assert prospect_client.get(f"/w/{link.token}/").status_code == 200


def test_the_list_shows_each_links_progress_live_links_first(api, workspace):
    prospect = ProspectFactory(workspace=workspace)
    revoked = WizardLinkFactory(prospect=prospect)
    api.delete(f"wizard-links/{revoked.pk}")
    live = WizardLinkFactory(prospect=prospect)
    WizardSession.objects.filter(link=live).update(max_step=3, pdf_downloads=2)

    items = api.get(f"prospects/{prospect.pk}/wizard-links").json()["items"]

    assert [item["id"] for item in items] == [live.pk, revoked.pk]
    assert (items[0]["max_step"], items[0]["pdf_downloads"]) == (3, 2)
    assert items[1]["is_active"] is False and items[1]["revoked_at"] is not None


def test_revoking_a_link_stops_it_opening_and_keeps_its_history(
    rep_api, workspace, prospect_client
):
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace))
    WizardSession.objects.filter(link=link).update(max_step=2)

    response = rep_api.delete(f"wizard-links/{link.pk}")

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["max_step"] == 2
    assert prospect_client.get(f"/w/{link.token}/").status_code == 404
    first_revocation = response.json()["revoked_at"]
    assert rep_api.delete(f"wizard-links/{link.pk}").json()["revoked_at"] == first_revocation


def test_another_workspaces_links_are_not_found(stranger_api, workspace):
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace))
    assert stranger_api.get(f"wizard-links/{link.pk}").status_code == 404
    assert stranger_api.delete(f"wizard-links/{link.pk}").status_code == 404
    assert stranger_api.get(f"prospects/{link.prospect_id}/wizard-links").status_code == 404
    assert stranger_api.post(f"prospects/{link.prospect_id}/wizard-links").status_code == 404
    assert WizardLink.objects.get(pk=link.pk).is_active
