"""The sequences API: templates with checked variables, enrolling one or many contacts, and
each enrollment's steps with why they wait and when they go."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from outreach.crm.services.tasks import touch_task_complete
from outreach.models import Contact, OutreachLog, OutreachSequence, SequenceTemplate
from tests.factories import (
    ContactFactory,
    EmailTemplateFactory,
    OutreachSequenceFactory,
    sequence_with_steps,
)

INTRO = {
    "name": "Fintech intro",
    "description": "Three touches over a week",
    "steps": [
        {
            "channel": "email",
            "auto_send": True,
            "subject_template": "{{prospect.name}} and outbound",
            "body_template": 'Hi {{contact.first_name|default:"there"}},\nA quick idea.',
        },
        {"channel": "call", "delay_days": 2, "subject_template": "Call {{contact.full_name}}"},
        {"channel": "linkedin", "delay_days": 3, "delay_hours": 4},
    ],
}


def test_a_rep_creates_a_sequence_and_reads_it_back(rep_api):
    response = rep_api.post("sequences", INTRO)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [s["channel"] for s in body["steps"]] == ["email", "call", "linkedin"]
    assert [s["position"] for s in body["steps"]] == [1, 2, 3]
    assert body["active_count"] == 0
    assert rep_api.get(f"sequences/{body['id']}").json()["name"] == "Fintech intro"
    assert rep_api.get("sequences").json()["count"] == 1


def test_an_unknown_variable_is_refused_when_the_sequence_is_saved(api):
    steps = [{"channel": "email", "subject_template": "Hi {{contact.firstname}}"}]
    response = api.post("sequences", {"name": "Typo", "steps": steps})
    assert response.status_code == 422
    assert "{{contact.firstname}} is not a variable we know" in response.json()["detail"]
    assert response.json()["errors"] == {"steps.0.subject_template": [response.json()["detail"]]}
    assert not SequenceTemplate.objects.exists()


def test_a_broken_placeholder_is_refused_too(api):
    steps = [{"channel": "call", "body_template": "Ask {{contact.first_name about pricing"}]
    response = api.post("sequences", {"name": "Broken", "steps": steps})
    assert response.status_code == 422
    assert "missing its {{ or }}" in response.json()["detail"]


def test_an_email_that_sends_itself_needs_a_subject_and_a_body(api):
    steps = [{"channel": "email", "auto_send": True, "subject_template": "Hello"}]
    response = api.post("sequences", {"name": "Empty", "steps": steps})
    assert response.status_code == 422
    assert "needs a subject and a body" in response.json()["detail"]
    steps = [{"channel": "call", "auto_send": True}]
    assert "only email steps" in api.post("sequences", {"name": "X", "steps": steps}).text


def test_an_email_step_takes_its_words_from_a_shared_template(api, workspace):
    intro = EmailTemplateFactory(workspace=workspace, name="Intro", subject="Hi there")
    steps = [{"channel": "email", "auto_send": True, "email_template_id": intro.pk}]
    response = api.post("sequences", {"name": "Library", "steps": steps})
    assert response.status_code == 201, response.json()
    (step,) = response.json()["steps"]
    assert (step["email_template_id"], step["subject_template"]) == (intro.pk, "")

    # The template is kept while a step uses it.
    assert api.delete(f"email-templates/{intro.pk}").status_code == 409
    patched = api.patch(
        f"sequences/{response.json()['id']}",
        {"steps": [{"id": step["id"], "channel": "email", "subject_template": "Own words"}]},
    )
    assert patched.json()["steps"][0]["email_template_id"] is None
    assert api.delete(f"email-templates/{intro.pk}").status_code == 204


@pytest.mark.parametrize(
    ("whose", "channel", "reason"),
    [
        ("stranger", "email", "there is no such template in this workspace"),
        ("personal", "email", "“Bob's” is a personal template; share it first"),
        ("shared", "call", "only email steps take their words from a template"),
    ],
)
def test_a_step_template_is_a_shared_one_of_the_workspace_on_an_email_step(
    api, workspace, other_workspace, bob, whose, channel, reason
):
    template = {
        "stranger": lambda: EmailTemplateFactory(workspace=other_workspace),
        "personal": lambda: EmailTemplateFactory(
            workspace=workspace, owner=bob, shared=False, name="Bob's"
        ),
        "shared": lambda: EmailTemplateFactory(workspace=workspace),
    }[whose]()
    steps = [{"channel": channel, "email_template_id": template.pk}]
    response = api.post("sequences", {"name": "Library", "steps": steps})
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert not SequenceTemplate.objects.exists()


def test_editing_steps_keeps_the_ones_named_by_id_and_drops_the_rest(api):
    created = api.post("sequences", INTRO).json()
    email, call, _ = created["steps"]
    response = api.patch(
        f"sequences/{created['id']}",
        {
            "steps": [
                {"id": call["id"], "channel": "call", "subject_template": "Call first"},
                {"id": email["id"], "channel": "email", "subject_template": "Then email"},
                {"channel": "message", "delay_days": 1},
            ]
        },
    )
    assert response.status_code == 200, response.json()
    steps = response.json()["steps"]
    assert [(s["id"], s["position"]) for s in steps[:2]] == [(call["id"], 1), (email["id"], 2)]
    assert steps[0]["subject_template"] == "Call first"
    assert steps[2]["channel"] == "message" and len(steps) == 3


def test_a_step_id_of_another_sequence_is_refused(api, workspace):
    other = sequence_with_steps(workspace, {"channel": "call"})
    created = api.post("sequences", INTRO).json()
    foreign = other.steps.get().pk
    response = api.patch(
        f"sequences/{created['id']}", {"steps": [{"id": foreign, "channel": "call"}]}
    )
    assert response.status_code == 422


def test_a_new_sequence_cannot_claim_existing_step_ids(api, workspace):
    other = sequence_with_steps(workspace, {"channel": "call", "subject_template": "Keep me"})
    taken = other.steps.get()
    response = api.post(
        "sequences", {"name": "Copycat", "steps": [{"id": taken.pk, "channel": "email"}]}
    )
    assert response.status_code == 422
    assert "leave out the step ids" in response.content.decode()
    taken.refresh_from_db()
    assert (taken.template_id, taken.subject_template) == (other.pk, "Keep me")


def test_a_sequence_contacts_went_through_is_kept(api, workspace):
    template = sequence_with_steps(workspace, {"channel": "call"})
    OutreachSequenceFactory(template=template, contact__prospect__workspace=workspace)
    response = api.delete(f"sequences/{template.pk}")
    assert response.status_code == 409
    unused = sequence_with_steps(workspace, {"channel": "call"})
    assert api.delete(f"sequences/{unused.pk}").status_code == 204


def test_enrolling_many_contacts_reports_who_joined_and_who_could_not(
    api, workspace, alice, always_open, prospect, pat
):
    template = api.post("sequences", INTRO).json()
    sam = ContactFactory(prospect=prospect, first_name="Sam", email="sam@stripe.com")
    gone = ContactFactory(
        prospect=prospect, first_name="Gone", outreach_status=Contact.OutreachStatus.OPTED_OUT
    )
    no_email = ContactFactory(prospect=prospect, first_name="Nomail", email="")
    ids = [pat.pk, sam.pk, gone.pk, no_email.pk]

    response = api.post(
        f"sequences/{template['id']}/enrollments", {"contact_ids": ids, "sender_id": alice.pk}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert sorted(e["contact_name"] for e in body["enrolled"]) == ["Pat Lee", "Sam Doe"]
    assert {s["contact_id"]: s["reason"] for s in body["skipped"]} == {
        gone.pk: "Gone Doe is opted out.",
        no_email.pk: "Nomail Doe has no email address.",
    }
    again = api.post(f"sequences/{template['id']}/enrollments", {"contact_ids": [pat.pk]})
    assert again.json()["skipped"] == [
        {"contact_id": pat.pk, "reason": "Pat Lee is already in this sequence."}
    ]
    assert api.get(f"sequences/{template['id']}").json()["active_count"] == 2


def test_another_workspaces_contact_cannot_be_enrolled(api, stranger_api, workspace, pat):
    theirs = stranger_api.post("sequences", INTRO).json()
    response = stranger_api.post(f"sequences/{theirs['id']}/enrollments", {"contact_ids": [pat.pk]})
    assert response.status_code == 422
    assert not OutreachSequence.objects.exists()


def test_the_database_refuses_a_second_live_enrollment_of_a_contact(workspace, pat):
    template = sequence_with_steps(workspace, {"channel": "call"})
    OutreachSequenceFactory(template=template, contact=pat)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutreachSequenceFactory(template=template, contact=pat)
    # Once the first run has ended the contact may go through it again.
    OutreachSequence.objects.update(status=OutreachSequence.Status.COMPLETED)
    OutreachSequenceFactory(template=template, contact=pat)


def test_every_step_says_why_it_waits_and_when_it_goes(api, workspace, bob, prospect, pat):
    template = sequence_with_steps(
        workspace,
        {"channel": "call", "subject_template": "Call {{contact.first_name}}"},
        {"channel": "linkedin", "delay_days": 2},
        {"channel": "call", "delay_hours": 5},
    )
    # Tuesday 4 March 2025, 10:00 in the workspace's zone (UTC).
    with time_machine.travel("2025-03-04T10:00:00Z", tick=False):
        enrolled = api.post(f"sequences/{template.pk}/enrollments", {"contact_ids": [pat.pk]})
        enrollment = enrolled.json()["enrolled"][0]
        first, second, third = enrollment["steps"]
        assert (first["status"], first["explanation"]) == ("open", "In the task queue.")
        assert first["triggered_by"] == "cadence" and first["task_id"]
        assert second["explanation"] == "Waits for step 1 to be done, then 2 days."
        assert third["explanation"] == "Goes 5 hours after step 2."

        touch_task_complete(task=OutreachLog.objects.get(pk=first["task_id"]), by=bob)
        steps = api.get(f"enrollments/{enrollment['id']}").json()["steps"]
    assert steps[0]["status"] == "done"
    assert steps[1]["explanation"] == "Waiting for its delay: 2 days after step 1."
    assert steps[1]["goes_at"].startswith("2025-03-06T10:00:00")


def test_pause_resume_and_stop_through_the_api(api, workspace, always_open, pat):
    template = sequence_with_steps(workspace, {"channel": "call"}, {"channel": "call"})
    enrolled = api.post(f"sequences/{template.pk}/enrollments", {"contact_ids": [pat.pk]})
    enrollment_id = enrolled.json()["enrolled"][0]["id"]
    until = (timezone.now() + timedelta(days=10)).date().isoformat()

    paused = api.post(
        f"enrollments/{enrollment_id}/pause", {"reason": "Pat is on vacation", "until": until}
    ).json()
    assert paused["status"] == "paused" and paused["pause_reason"] == "Pat is on vacation"
    assert paused["paused_until"].startswith(until)
    assert api.post(f"enrollments/{enrollment_id}/resume").json()["status"] == "active"
    assert api.post(f"enrollments/{enrollment_id}/resume").status_code == 409

    stopped = api.post(f"enrollments/{enrollment_id}/stop", {"reason": "Wrong person"}).json()
    assert stopped["status"] == "stopped" and stopped["stop_reason"] == "Wrong person"
    assert [s["status"] for s in stopped["steps"]] == ["skipped", "skipped"]
    assert not OutreachLog.objects.filter(status=OutreachLog.Status.TOUCH_OPEN).exists()
    assert api.post(f"enrollments/{enrollment_id}/stop", {}).status_code == 409
    assert api.get("enrollments", status="stopped").json()["count"] == 1


def test_a_rep_runs_the_next_step_now(api, workspace, bob, always_open, pat):
    template = sequence_with_steps(
        workspace, {"channel": "call"}, {"channel": "call", "delay_days": 30}
    )
    enrolled = api.post(f"sequences/{template.pk}/enrollments", {"contact_ids": [pat.pk]})
    enrollment = enrolled.json()["enrolled"][0]
    assert api.post(f"enrollments/{enrollment['id']}/advance").status_code == 409  # step 1 open
    touch_task_complete(task=OutreachLog.objects.get(pk=enrollment["steps"][0]["task_id"]), by=bob)

    steps = api.post(f"enrollments/{enrollment['id']}/advance").json()["steps"]
    assert steps[1]["status"] == "open"
    assert steps[1]["triggered_by"] == "manual"
    assert steps[0]["next_step_ready_at"] is None
