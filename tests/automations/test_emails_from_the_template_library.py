"""A rule's "send an email" step written from the template library: the template's words with
its variables filled in for the contact, a use of the template counted with its replies, and
only a shared template of the rule's own workspace."""

import pytest
from django.core import mail

from automations.models import AutomationExecution
from outreach.crm.services.prospects import contact_create
from outreach.mail.selectors import reply_rate, template_list
from outreach.models import Contact, EmailTemplate, OutreachLog, Reply
from outreach.replies.inbound.message import from_fields
from outreach.replies.services.intake import reply_receive
from tests.factories import EmailTemplateFactory


@pytest.fixture
def intro(workspace):
    return EmailTemplateFactory(
        workspace=workspace,
        name="Intro",
        subject="A question, {{contact.first_name}}",
        body='Hello {{contact.first_name|default:"there"}} at {{prospect.name}}.',
    )


def email_step(**params):
    return [{"type": "send_email", "params": params}]


def test_a_rules_email_from_a_template_is_a_use_of_it_and_its_reply_counts(
    run_steps, workspace, alice, intro, pat
):
    run = run_steps(email_step(template_id=intro.pk))

    assert run.status == AutomationExecution.Status.COMPLETED
    (sent,) = mail.outbox
    assert sent.subject == "A question, Pat"
    assert sent.body.startswith("Hello Pat at Stripe.\n")
    assert sent.to == ["Pat Lee <pat@stripe.com>"]
    # Replies reach triage, and a contact can leave with one click.
    assert sent.reply_to[0].startswith("replies+")
    assert "List-Unsubscribe" in sent.extra_headers
    log = OutreachLog.objects.get(log_type=OutreachLog.Type.EMAIL)
    assert log.email_template == intro
    assert log.metadata["messageId"] == sent.extra_headers["Message-ID"]

    reply_receive(
        workspace=workspace,
        message=from_fields(
            message_id="<pat-answers@stripe.com>",
            from_email="pat@stripe.com",
            subject=f"Re: {sent.subject}",
            text="Happy to talk on Tuesday.",
            in_reply_to=sent.extra_headers["Message-ID"],
        ),
        source=Reply.Source.API,
    )
    (listed,) = template_list(workspace=workspace, user=alice)
    assert (listed.sent_count, listed.reply_count, reply_rate(listed)) == (1, 1, 1.0)


def test_the_steps_own_words_win_and_the_template_writes_the_rest(run_steps, intro, pat):
    run_steps(email_step(template_id=intro.pk, subject="About {{deal.name}}"))

    (sent,) = mail.outbox
    assert sent.subject == "About Stripe expansion"
    assert sent.body.startswith("Hello Pat at Stripe.")
    assert OutreachLog.objects.get(log_type=OutreachLog.Type.EMAIL).email_template == intro


def test_a_template_fallback_fills_a_missing_value(run_steps, intro, pat):
    Contact.objects.filter(pk=pat.pk).update(first_name="")
    run_steps(email_step(template_id=intro.pk, subject="A question"))

    assert mail.outbox[0].body.startswith("Hello there at Stripe.")


def test_a_template_variable_without_a_value_fails_the_step_and_nothing_is_sent(
    run_steps, workspace, pat
):
    Contact.objects.filter(pk=pat.pk).update(title="")
    template = EmailTemplateFactory(
        workspace=workspace, name="Titles", subject="Hi", body="As {{contact.title}}, you know."
    )
    run = run_steps(email_step(template_id=template.pk))

    assert run.status == AutomationExecution.Status.FAILED
    assert "“Titles” uses {{contact.title}}, which has no value for Pat Lee" in run.reason
    assert not mail.outbox and not OutreachLog.objects.exists()


def test_a_template_deleted_after_the_rule_was_saved_fails_the_step_with_the_reason(
    automation, workspace, stripe, intro, background
):
    automation(actions=email_step(template_id=intro.pk))
    EmailTemplate.objects.filter(pk=intro.pk).delete()
    with background():
        contact_create(workspace=workspace, prospect=stripe, first_name="Dana", email="d@x.com")
    run = AutomationExecution.objects.get()

    assert run.status == AutomationExecution.Status.FAILED
    assert "template was deleted" in run.reason
    assert not mail.outbox


def rule_sending(template_id) -> dict:
    return {
        "name": "Welcome",
        "trigger_type": "contact.created",
        "actions": email_step(template_id=template_id),
    }


def test_a_rule_uses_only_a_shared_template_of_its_own_workspace(
    api, workspace, other_workspace, bob, intro
):
    theirs = EmailTemplateFactory(workspace=other_workspace, name="Theirs")
    personal = EmailTemplateFactory(workspace=workspace, owner=bob, shared=False, name="Bob's")

    for template, reason in [
        (theirs, "no such template in this workspace"),
        (personal, "“Bob's” is a personal template"),
    ]:
        response = api.post("automations", rule_sending(template.pk))
        assert response.status_code == 422, response.json()
        assert reason in response.json()["detail"]

    response = api.post("automations", rule_sending(intro.pk))
    assert response.status_code == 201, response.json()
    assert response.json()["actions"][0]["params"] == {
        "template_id": intro.pk,
        "subject": "",
        "body": "",
    }


def test_a_step_without_a_template_still_needs_its_subject_and_body(api):
    response = api.post("automations", rule_sending(None))
    assert response.status_code == 422
    assert "Write the subject, or choose a template." in response.json()["detail"]


def test_the_builder_offers_the_shared_templates(alice_client, workspace, bob, intro):
    EmailTemplateFactory(workspace=workspace, owner=bob, shared=False, name="Bob's own")
    response = alice_client.get(
        "/automations/builder/action/", {"index": 0, "actions-0-type": "send_email"}
    )
    row = response.content.decode()
    assert f'<option value="{intro.pk}">Intro</option>' in row
    assert "Bob&#x27;s own" not in row and "Bob's own" not in row
