"""Sequences in a real browser: a rep enrolls a contact from the prospect page and completes
the first step, builds an email step from the template library, and a prospect unsubscribes
from an email link on their phone."""

from datetime import time

import pytest
from django.core import mail

from outreach.mail import email_links
from outreach.models import Contact, OutreachSequence, OutreachStep, SequenceTemplate
from tests.browser.conftest import htmx_settled, sign_in
from tests.browser.test_email_flow import shoot
from tests.factories import (
    ContactFactory,
    EmailTemplateFactory,
    ProspectFactory,
    sequence_with_steps,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_enrolls_a_contact_and_works_the_first_step(desktop, workspace, bob):
    workspace.business_days = list(range(7))
    workspace.business_day_start, workspace.business_day_end = time(0, 0), time(23, 59, 59)
    workspace.save()
    prospect = ProspectFactory(workspace=workspace, name="Plaid", owner=bob)
    ContactFactory(prospect=prospect, first_name="Morgan", last_name="Patel")
    sequence_with_steps(
        workspace,
        {"channel": "call", "subject_template": "Intro call with {{contact.first_name}}"},
        {"channel": "linkedin", "delay_days": 2},
        name="Banking intro",
    )

    sign_in(desktop, "bob")
    desktop.goto(f"/prospects/{prospect.pk}/")
    desktop.select_option("#id_enroll_sequence", label="Banking intro")
    desktop.locator("#prospect-sequences").get_by_label("Morgan Patel").check()
    desktop.click("button:has-text('Enroll')")
    desktop.wait_for_selector("text=Enrolled Morgan Patel in Banking intro.")

    htmx_settled(desktop)
    desktop.locator(".task-row", has_text="Intro call with Morgan").get_by_role(
        "link", name="Complete"
    ).click()
    dialog = desktop.get_by_role("dialog")
    htmx_settled(desktop)
    dialog.get_by_label("Left voicemail").check()
    dialog.get_by_role("button", name="Complete task").click()
    desktop.locator(".task-row .badge:has-text('Done')").wait_for()
    desktop.click("#prospect-sequences >> text=Morgan Patel")
    desktop.wait_for_selector("text=Waiting for its delay: 2 days after step 1.")
    sequence = OutreachSequence.objects.get()
    assert list(sequence.steps.values_list("status", flat=True)) == ["done", "pending"]


def test_a_rep_builds_an_email_step_from_a_library_template(
    desktop, browser, live_server, workspace, bob
):
    intro = EmailTemplateFactory(
        workspace=workspace,
        name="Fintech intro",
        subject="{{prospect.name}} and outbound",
        body='Hi {{contact.first_name|default:"there"}},\nA quick idea for your team.',
    )

    sign_in(desktop, "bob")
    desktop.goto("/sequences/new/")
    desktop.fill("#id_name", "From the library")
    desktop.select_option("#id_steps-0-email_template_id", label="Fintech intro")
    desktop.check("#id_steps-0-auto_send")
    desktop.click("button:has-text('Save sequence')")
    desktop.wait_for_selector("text=Saved From the library.")
    assert desktop.is_visible("text={{prospect.name}} and outbound")
    assert desktop.is_visible("text=template “Fintech intro”")
    sequence = SequenceTemplate.objects.get(name="From the library")
    assert sequence.steps.get().email_template == intro

    shoot(browser, live_server, f"/sequences/{sequence.pk}/edit/", "sequence-editor-template")
    shoot(browser, live_server, f"/sequences/{sequence.pk}/", "sequence-detail-template")


def test_a_prospect_unsubscribes_from_an_email_link_on_a_phone(phone, workspace, bob):
    contact = ContactFactory(
        prospect=ProspectFactory(workspace=workspace), email="avery@stripe.com"
    )
    assert not mail.outbox
    phone.goto(email_links.unsubscribe_url(contact.pk).removeprefix("http://127.0.0.1:8000"))
    assert phone.is_visible("text=avery@stripe.com will get no more emails from Acme Sales.")
    button = phone.get_by_role("button", name="Unsubscribe")
    assert button.bounding_box()["width"] > 250  # a thumb-sized target across the card
    button.tap()
    phone.wait_for_selector("text=You are unsubscribed")
    contact.refresh_from_db()
    assert contact.outreach_status == Contact.OutreachStatus.OPTED_OUT
    assert not OutreachStep.objects.exists()
