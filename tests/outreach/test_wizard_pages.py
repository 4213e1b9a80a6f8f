"""The public wizard: four personal steps, progress that only grows, ENGAGED and a call task at
step 3, and nothing of anyone else."""

import pytest

from outreach.crm.services.tasks import touch_task_complete
from outreach.models import Activity, OutreachLog, Prospect, WizardSession
from outreach.wizard.services import wizard_link_revoke
from tests.factories import ContactFactory, ProspectFactory, TagFactory, WizardLinkFactory


@pytest.fixture
def stripe(workspace, bob):
    prospect = ProspectFactory(
        workspace=workspace,
        name="Stripe",
        domain="stripe.com",
        website="https://stripe.com",
        owner=bob,
        status=Prospect.Status.CONTACTED,
        custom_fields={
            "industry": "Payments",
            "employees": 8000,
            "lead_source": "Conference list",
            "notes": "CFO thinks we are too expensive",
            "_budget": "tight",
        },
        tags=[
            TagFactory(workspace=workspace, name="fintech"),
            TagFactory(workspace=workspace, name="hot-lead"),
        ],
    )
    ContactFactory(prospect=prospect, first_name="Avery", last_name="Collins")
    return prospect


@pytest.fixture
def link(stripe):
    return WizardLinkFactory(prospect=stripe)


def visit(client, django_capture_on_commit_callbacks, path: str):
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(path)


def session_of(link) -> WizardSession:
    return WizardSession.objects.get(link=link)


def test_the_four_steps_are_personal_to_the_prospect(prospect_client, link):
    pages = [prospect_client.get(f"/w/{link.token}/")] + [
        prospect_client.get(f"/w/{link.token}/{step}/") for step in (2, 3, 4)
    ]
    assert [page.status_code for page in pages] == [200] * 4
    welcome, about, video, next_steps = (page.content.decode() for page in pages)

    assert "Hi Stripe team" in welcome and "Acme Sales" in welcome
    assert "What we learned about Stripe" in about
    assert "stripe.com" in about and "Payments" in about and "8000" in about
    assert "fintech" in about
    assert "Your personalized video is being prepared" in video
    # The prospect's rep's free times, each a link to book it.
    assert "call with Bob of Acme Sales" in next_steps
    assert f"/w/{link.token}/book/?start=" in next_steps
    assert f"/w/{link.token}/report.pdf" in next_steps


def test_what_the_team_keeps_to_itself_never_reaches_the_prospect(prospect_client, link):
    about = prospect_client.get(f"/w/{link.token}/2/").content.decode()
    for internal in ("Conference list", "too expensive", "tight", "hot-lead"):
        assert internal not in about


def test_the_pages_show_nothing_of_other_prospects(prospect_client, workspace, link):
    plaid = ProspectFactory(workspace=workspace, name="Plaid", domain="plaid.com")
    ContactFactory(prospect=plaid, first_name="Morgan")
    WizardLinkFactory(prospect=plaid)
    for path in ("", "2/", "3/", "4/"):
        page = prospect_client.get(f"/w/{link.token}/{path}").content.decode()
        assert "Plaid" not in page and "plaid.com" not in page and "Morgan" not in page


def test_each_step_view_is_recorded_and_the_furthest_step_only_grows(
    prospect_client, link, stripe, django_capture_on_commit_callbacks
):
    for step in (1, 2, 1):
        visit(prospect_client, django_capture_on_commit_callbacks, f"/w/{link.token}/{step}/")
    session = session_of(link)
    assert session.max_step == 2
    assert session.step_views == 3
    assert session.first_visit_at <= session.last_visit_at

    views = Activity.objects.filter(prospect=stripe, kind=Activity.Kind.WIZARD_STEP)
    assert [a.metadata["step"] for a in views.order_by("pk")] == [1, 2, 1]
    assert {a.contact.first_name for a in views} == {"Avery"}


def test_reaching_step_3_makes_the_prospect_engaged_and_queues_a_call_task(
    prospect_client, link, stripe, bob, django_capture_on_commit_callbacks
):
    visit(prospect_client, django_capture_on_commit_callbacks, f"/w/{link.token}/3/")

    stripe.refresh_from_db()
    assert stripe.status == Prospect.Status.ENGAGED
    assert session_of(link).engaged_at is not None
    task = OutreachLog.objects.get(prospect=stripe)
    assert task.subject == "Follow-up: prospect engaged with wizard (step 3+)"
    assert task.metadata["triggerSource"] == "wizard_step3"
    assert task.priority_label == "high"
    assert task.assignee == bob


def test_revisiting_the_wizard_creates_no_second_task(
    prospect_client, link, stripe, django_capture_on_commit_callbacks
):
    for step in (1, 2, 3, 4, 3, 2, 3):
        visit(prospect_client, django_capture_on_commit_callbacks, f"/w/{link.token}/{step}/")
    assert OutreachLog.objects.filter(prospect=stripe).count() == 1
    assert session_of(link).max_step == 4


def test_coming_back_to_step_3_after_the_rep_called_puts_one_new_call_task_in_the_queue(
    prospect_client, link, stripe, bob, django_capture_on_commit_callbacks
):
    visit(prospect_client, django_capture_on_commit_callbacks, f"/w/{link.token}/3/")
    touch_task_complete(task=OutreachLog.objects.get(prospect=stripe), by=bob)

    for step in (2, 3, 4, 3):
        visit(prospect_client, django_capture_on_commit_callbacks, f"/w/{link.token}/{step}/")

    tasks = OutreachLog.objects.filter(prospect=stripe, metadata__triggerSource="wizard_step3")
    assert sorted(tasks.values_list("status", flat=True)) == ["done", "touch_open"]


def test_another_download_after_the_rep_called_puts_one_new_call_task_in_the_queue(
    prospect_client, link, stripe, bob, django_capture_on_commit_callbacks
):
    visit(prospect_client, django_capture_on_commit_callbacks, f"/w/{link.token}/report.pdf")
    touch_task_complete(task=OutreachLog.objects.get(prospect=stripe), by=bob)

    for _ in range(3):
        visit(prospect_client, django_capture_on_commit_callbacks, f"/w/{link.token}/report.pdf")

    tasks = OutreachLog.objects.filter(prospect=stripe, metadata__triggerSource="pdf_download")
    assert sorted(tasks.values_list("status", flat=True)) == ["done", "touch_open"]


@pytest.mark.parametrize("status", [Prospect.Status.MEETING, Prospect.Status.WON])
def test_a_prospect_further_along_is_never_moved_back_to_engaged(
    prospect_client, link, stripe, status, django_capture_on_commit_callbacks
):
    Prospect.objects.filter(pk=stripe.pk).update(status=status)
    visit(prospect_client, django_capture_on_commit_callbacks, f"/w/{link.token}/3/")
    stripe.refresh_from_db()
    assert stripe.status == status
    assert OutreachLog.objects.filter(prospect=stripe, status="touch_open").count() == 1


def test_a_lost_prospect_who_comes_back_is_engaged_again(
    prospect_client, link, stripe, django_capture_on_commit_callbacks
):
    Prospect.objects.filter(pk=stripe.pk).update(status=Prospect.Status.LOST)
    visit(prospect_client, django_capture_on_commit_callbacks, f"/w/{link.token}/3/")
    stripe.refresh_from_db()
    assert stripe.status == Prospect.Status.ENGAGED


def test_link_checkers_and_prefetches_record_nothing(prospect_client, link, stripe):
    assert prospect_client.head(f"/w/{link.token}/3/").status_code == 200
    prefetched = prospect_client.get(f"/w/{link.token}/3/", headers={"Sec-Purpose": "prefetch"})
    assert prefetched.status_code == 200
    assert session_of(link).max_step == 0
    assert not Activity.objects.filter(prospect=stripe).exists()


def test_a_bad_or_revoked_link_is_a_plain_404_that_names_no_one(prospect_client, link):
    revoked = WizardLinkFactory(prospect=link.prospect)
    wizard_link_revoke(link=revoked)
    for path in (
        f"/w/{revoked.token}/",
        f"/w/{revoked.token}/3/",
        f"/w/{revoked.token}/report.pdf",
        f"/w/{'x' * 32}/",
        "/w/short/",
    ):
        response = prospect_client.get(path)
        assert response.status_code == 404, path
        assert b"This link is not active" in response.content
        assert b"Stripe" not in response.content
    assert session_of(revoked).max_step == 0


def test_a_step_past_the_last_is_not_found(prospect_client, link):
    assert prospect_client.get(f"/w/{link.token}/5/").status_code == 404
    assert prospect_client.get(f"/w/{link.token}/0/").status_code == 404


def test_the_pages_stay_out_of_caches_search_engines_and_referrers(prospect_client, link):
    response = prospect_client.get(f"/w/{link.token}/")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_page_is_built_for_a_phone(prospect_client, link):
    page = prospect_client.get(f"/w/{link.token}/").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1' in page
    assert "sidebar" not in page  # the public page is not the dashboard shell
