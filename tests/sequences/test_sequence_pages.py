"""The sequence pages: the editor, a sequence's enrollments, one enrollment's steps with its
actions, enrolling from a prospect's page, and their query counts."""

from outreach.models import OutreachLog, OutreachSequence, SequenceTemplate
from outreach.sequences.services.enrollment import sequence_enroll
from tests.factories import (
    ContactFactory,
    EmailTemplateFactory,
    ProspectFactory,
    sequence_with_steps,
)
from tests.outreach.test_query_counts import count_queries


def editor_post(name: str, *steps: dict, initial: int = 0) -> dict:
    data = {
        "name": name,
        "description": "",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        values = {"channel": "email", "delay_days": "0", "delay_hours": "0", "ORDER": ""}
        values.update(step)
        data.update({f"steps-{i}-{key}": value for key, value in values.items()})
    return data


def test_a_rep_builds_a_sequence_in_the_editor(bob_client, workspace):
    response = bob_client.post(
        "/sequences/new/",
        editor_post(
            "Webinar follow-up",
            {"subject_template": "Thanks for joining, {{contact.first_name}}", "ORDER": "1"},
            {"channel": "call", "delay_days": "2", "ORDER": "2"},
            {},  # the blank "add a step" form
        ),
    )
    template = SequenceTemplate.objects.get(name="Webinar follow-up")
    assert response.status_code == 302
    assert response["Location"] == f"/sequences/{template.pk}/"
    assert [(s.position, s.channel) for s in template.steps.all()] == [(1, "email"), (2, "call")]
    page = bob_client.get(f"/sequences/{template.pk}/edit/").content.decode()
    assert "Thanks for joining, {{contact.first_name}}" in page


def test_the_editor_shows_an_unknown_variable_on_its_step(bob_client, workspace):
    response = bob_client.post(
        "/sequences/new/",
        editor_post("Typos", {"channel": "call"}, {"subject_template": "Hi {{first_name}}"}),
    )
    assert response.status_code == 422
    assert "Step 2: {{first_name}} is not a variable we know" in response.content.decode()
    assert not SequenceTemplate.objects.exists()


def test_a_rep_picks_a_library_template_for_an_email_step(bob_client, workspace, alice):
    intro = EmailTemplateFactory(workspace=workspace, name="Intro", subject="Hello from us")
    EmailTemplateFactory(workspace=workspace, owner=alice, shared=False, name="Alice's own")
    page = bob_client.get("/sequences/new/").content.decode()
    assert f'<option value="{intro.pk}">Intro</option>' in page
    assert "Alice&#x27;s own" not in page

    response = bob_client.post(
        "/sequences/new/",
        editor_post(
            "Library",
            {"email_template_id": str(intro.pk), "auto_send": "on", "ORDER": "1"},
            {},
        ),
    )
    assert response.status_code == 302, response.content.decode()
    template = SequenceTemplate.objects.get(name="Library")
    assert template.steps.get().email_template == intro
    detail = bob_client.get(response["Location"]).content.decode()
    assert "Hello from us" in detail and "template “Intro”" in detail
    editor = bob_client.get(f"/sequences/{template.pk}/edit/").content.decode()
    assert f'<option value="{intro.pk}" selected>Intro</option>' in editor


def test_the_editor_reorders_and_removes_steps(bob_client, workspace):
    template = sequence_with_steps(
        workspace, {"channel": "email"}, {"channel": "call"}, {"channel": "linkedin"}
    )
    email, call, linkedin = template.steps.all()
    data = editor_post(
        template.name,
        {"id": str(email.pk), "ORDER": "2"},
        {"id": str(call.pk), "channel": "call", "ORDER": "1"},
        {"id": str(linkedin.pk), "channel": "linkedin", "ORDER": "3", "DELETE": "on"},
        initial=3,
    )
    assert bob_client.post(f"/sequences/{template.pk}/edit/", data).status_code == 302
    assert [(s.pk, s.position) for s in template.steps.all()] == [(call.pk, 1), (email.pk, 2)]


def test_a_rep_enrolls_contacts_from_the_prospect_page(bob_client, workspace, always_open):
    prospect = ProspectFactory(workspace=workspace, name="Ramp")
    jamie = ContactFactory(prospect=prospect, first_name="Jamie")
    quinn = ContactFactory(prospect=prospect, first_name="Quinn", email="")
    template = sequence_with_steps(
        workspace, {"channel": "email", "subject_template": "Hello"}, name="Intro"
    )
    page = bob_client.get(f"/prospects/{prospect.pk}/").content.decode()
    assert "Enroll in" in page and "Intro" in page

    response = bob_client.post(
        f"/prospects/{prospect.pk}/enroll/",
        {"sequence": template.pk, "contacts": [jamie.pk, quinn.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Enrolled Jamie Doe in Intro." in page
    assert "Quinn Doe has no email address." in page
    assert OutreachSequence.objects.get().contact == jamie
    task = OutreachLog.objects.get(status="touch_open")
    assert task.assignee.username == "bob"
    assert "Intro, step 1" in page  # the open task says which sequence it comes from


def test_the_enrollment_page_explains_each_step_and_pauses_resumes_and_stops(
    bob_client, workspace, bob, always_open, pat
):
    template = sequence_with_steps(
        workspace,
        {"channel": "call", "subject_template": "Call {{contact.first_name}}"},
        {"channel": "linkedin", "delay_days": 2},
    )
    (enrollment,) = sequence_enroll(template=template, contacts=[pat], by=bob).enrolled
    url = f"/enrollments/{enrollment.pk}/"
    page = bob_client.get(url).content.decode()
    assert "Call Pat" in page and "In the task queue." in page
    assert "Waits for step 1 to be done, then 2 days." in page

    page = bob_client.post(
        url + "pause/", {"reason": "Pat is traveling", "until": "2040-01-10"}, follow=True
    ).content.decode()
    assert "Paused: Pat is traveling" in page and "resumes" in page
    assert "Resumed." in bob_client.post(url + "resume/", follow=True).content.decode()
    page = bob_client.post(url + "stop/", {"reason": "Went with a competitor"}, follow=True)
    assert "Stopped: Went with a competitor" in page.content.decode()
    assert "already stopped" in bob_client.post(url + "resume/", follow=True).content.decode()
    assert bob_client.post(url + "explode/").status_code == 404


def test_another_workspaces_sequences_are_not_found(bob_client, other_workspace):
    theirs = sequence_with_steps(other_workspace, {"channel": "call"}, name="Globex secret")
    contact = ContactFactory(prospect__workspace=other_workspace)
    (enrollment,) = sequence_enroll(template=theirs, contacts=[contact]).enrolled
    assert bob_client.get(f"/sequences/{theirs.pk}/").status_code == 404
    assert bob_client.get(f"/sequences/{theirs.pk}/edit/").status_code == 404
    assert bob_client.get(f"/enrollments/{enrollment.pk}/").status_code == 404
    assert bob_client.post(f"/enrollments/{enrollment.pk}/stop/").status_code == 404
    assert "Globex secret" not in bob_client.get("/sequences/").content.decode()


def test_sequence_pages_cost_the_same_queries_for_few_or_many_rows(
    alice_client, workspace, alice, always_open
):
    template = sequence_with_steps(
        workspace, {"channel": "call"}, {"channel": "email", "delay_days": 1}, name="Big"
    )
    prospect = ProspectFactory(workspace=workspace)

    def enroll(n: int):
        contacts = [ContactFactory(prospect=prospect) for _ in range(n)]
        sequence_enroll(template=template, contacts=contacts, by=alice)
        for _ in range(n):
            sequence_with_steps(workspace, {"channel": "call"}, {"channel": "linkedin"})

    enroll(2)
    first = OutreachSequence.objects.order_by("pk").first()
    pages = [
        "/sequences/",
        f"/sequences/{template.pk}/",
        f"/enrollments/{first.pk}/",
        f"/prospects/{prospect.pk}/",
    ]
    alice_client.get("/")
    few = {page: count_queries(lambda p=page: alice_client.get(p))[0] for page in pages}
    enroll(15)
    for page in pages:
        many, response = count_queries(lambda p=page: alice_client.get(p))
        assert response.status_code == 200
        assert many == few[page], f"{page}: {few[page]} queries with 2 rows, {many} with 17"
