"""Dashboard pages: sign-in, workspace choice, prospects, the task queue and API keys."""

from outreach.models import ApiKey, OutreachLog
from tests.factories import (
    ContactFactory,
    MembershipFactory,
    ProspectFactory,
    TagFactory,
    TouchTaskFactory,
)


def test_pages_need_a_sign_in(client, db):
    response = client.get("/prospects/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signing_in_with_the_right_password_opens_the_overview(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct horse battery"}, follow=True
    )
    assert response.status_code == 200
    assert b"Good to see you" in response.content
    wrong = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert b"do not match" in wrong.content


def test_the_prospect_list_searches_and_filters(alice_client, workspace):
    hot = TagFactory(workspace=workspace, name="hot")
    ProspectFactory(workspace=workspace, name="Mercury", status="ENGAGED", tags=[hot])
    ProspectFactory(workspace=workspace, name="Brex", status="NEW")
    page = alice_client.get("/prospects/", {"q": "merc"}).content.decode()
    assert "Mercury" in page and "Brex" not in page
    page = alice_client.get("/prospects/", {"status": "NEW"}).content.decode()
    assert "Brex" in page and "Mercury" not in page
    page = alice_client.get("/prospects/", {"tag": "hot"}).content.decode()
    assert "Mercury" in page and "Brex" not in page
    partial = alice_client.get("/prospects/", {"q": "brex"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"Brex" in partial.content


def test_the_prospect_page_shows_contacts_deals_tasks_and_log(alice_client, workspace):
    prospect = ProspectFactory(workspace=workspace, name="Ramp")
    ContactFactory(prospect=prospect, first_name="Jamie", last_name="Rivera")
    TouchTaskFactory(prospect=prospect, subject="Call Jamie about pricing")
    page = alice_client.get(f"/prospects/{prospect.pk}/").content.decode()
    assert "Jamie Rivera" in page
    assert "Call Jamie about pricing" in page


def test_another_workspace_prospect_is_not_found(alice_client, other_workspace):
    foreign = ProspectFactory(workspace=other_workspace)
    assert alice_client.get(f"/prospects/{foreign.pk}/").status_code == 404


def test_completing_a_task_from_the_queue(alice_client, workspace, alice):
    task = TouchTaskFactory(
        prospect__workspace=workspace,
        assignee=alice,
        subject="Email Avery",
        channel=OutreachLog.Channel.EMAIL,
    )
    assert "Email Avery" in alice_client.get("/tasks/").content.decode()
    response = alice_client.post(f"/tasks/{task.pk}/complete/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"Done" in response.content
    task.refresh_from_db()
    assert task.status == OutreachLog.Status.DONE
    assert task.completed_by == alice
    again = alice_client.post(f"/tasks/{task.pk}/complete/", headers={"HX-Request": "true"})
    assert b"already done" in again.content


def test_completing_a_task_goes_back_to_the_page_it_was_done_on_but_never_off_site(
    alice_client, workspace, alice
):
    tasks = TouchTaskFactory.create_batch(4, prospect__workspace=workspace, assignee=alice)
    page = f"/prospects/{tasks[0].prospect_id}/"
    for task, target, lands in [
        (tasks[0], page, page),
        (tasks[1], "https://evil.example/phish", "/tasks/"),
        (tasks[2], "//evil.example/", "/tasks/"),
        (tasks[3], "javascript:alert(1)", "/tasks/"),
    ]:
        response = alice_client.post(
            f"/tasks/{task.pk}/complete/", {"next": target, "call_outcome": "connected"}
        )
        assert (response.status_code, response.url) == (302, lands)


def test_a_task_of_another_workspace_cannot_be_completed(alice_client, other_workspace):
    task = TouchTaskFactory(prospect__workspace=other_workspace)
    assert alice_client.post(f"/tasks/{task.pk}/complete/").status_code == 404
    task.refresh_from_db()
    assert task.status == OutreachLog.Status.TOUCH_OPEN


def test_adding_a_task_from_the_prospect_page(alice_client, workspace, alice):
    prospect = ProspectFactory(workspace=workspace)
    response = alice_client.post(
        f"/prospects/{prospect.pk}/tasks/",
        {"subject": "Send the case study", "channel": "email", "priority": "high"},
    )
    assert response.status_code == 302
    task = OutreachLog.objects.get(subject="Send the case study")
    assert task.priority_label == "high" and task.assignee == alice
    invalid = alice_client.post(f"/prospects/{prospect.pk}/tasks/", {"channel": "fax"})
    assert invalid.status_code == 422
    assert b"This field is required" in invalid.content


def test_switching_workspace_needs_a_membership(alice_client, alice, workspace, other_workspace):
    ProspectFactory(workspace=other_workspace, name="Globex Prospect")
    alice_client.post("/workspace/switch/", {"workspace_id": other_workspace.pk})
    assert "Globex Prospect" not in alice_client.get("/prospects/").content.decode()
    MembershipFactory(workspace=other_workspace, user=alice)
    alice_client.post("/workspace/switch/", {"workspace_id": other_workspace.pk})
    assert "Globex Prospect" in alice_client.get("/prospects/").content.decode()


def test_api_keys_page_is_for_admins_and_shows_a_new_key_once(alice_client, bob_client):
    assert bob_client.get("/settings/api-keys/").status_code == 403
    response = alice_client.post("/settings/api-keys/", {"name": "HubSpot sync", "role": "rep"})
    key = ApiKey.objects.get(name="HubSpot sync")
    page = response.content.decode()
    assert key.prefix in page and "crm_" in page
    assert "shown this once" in page
    assert "shown this once" not in alice_client.get("/settings/api-keys/").content.decode()
    alice_client.post(f"/settings/api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_a_user_without_a_workspace_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="dana"))
    response = client.get("/")
    assert response.status_code == 403
    assert b"not in a workspace" in response.content


def test_the_stylesheet_has_no_unclosed_block():
    """A rule left open swallows every section after it (they then apply only on phones)."""
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    depth = 0
    for number, line in enumerate(css.splitlines(), start=1):
        if line.startswith("/*"):
            assert depth == 0, f"line {number} starts a section inside an open block"
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"line {number} closes a block that is not open"
    assert depth == 0
