"""Opens and clicks in sequence emails count as engagement, and the links cannot be bent: a
click link only leads to the address in the email, an unsubscribe link only opts out its own
contact, and both work on a phone without signing in."""

import pytest
from django.core import signing

from outreach.mail import email_links
from outreach.mail.email_links import Tracked
from outreach.models import Activity, Contact, OutreachSequence
from outreach.sequences.services.enrollment import sequence_enroll
from tests.factories import ContactFactory, OutreachLogFactory, sequence_with_steps


@pytest.fixture
def sent_step(always_open, bob, pat):
    """The step of an email that went out to Pat."""
    cadence = sequence_with_steps(always_open, {"channel": "email"})
    (sequence,) = sequence_enroll(template=cadence, contacts=[pat], by=bob).enrolled
    step = sequence.steps.get()
    step.outreach_log = OutreachLogFactory(prospect=pat.prospect, contact=pat)
    step.save()
    return step


def path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def test_opening_an_email_records_an_open(client, sent_step, pat):
    response = client.get(path(email_links.open_pixel_url(Tracked.step(sent_step.pk))))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    (activity,) = Activity.objects.filter(kind=Activity.Kind.EMAIL_OPEN)
    assert activity.contact == pat
    assert activity.metadata["stepId"] == sent_step.pk


def test_a_forged_open_pixel_still_shows_an_image_but_records_nothing(client, db):
    response = client.get("/e/o/not-a-token/")
    assert response.status_code == 200 and not Activity.objects.exists()


def test_a_click_is_recorded_and_goes_to_the_address_in_the_email(client, sent_step, pat):
    url = "https://example.com/case-study?utm=seq"
    response = client.get(path(email_links.click_url(Tracked.step(sent_step.pk), url)))
    assert response.status_code == 302
    assert response["Location"] == url
    (activity,) = Activity.objects.filter(kind=Activity.Kind.EMAIL_CLICK)
    assert activity.metadata["url"] == url and activity.contact == pat


def test_a_click_link_cannot_be_pointed_somewhere_else(client, sent_step):
    forged = signing.dumps([sent_step.pk, "https://evil.example"], salt="something else")
    assert client.get(f"/e/c/{forged}/").status_code == 404
    token = email_links.click_url(Tracked.step(sent_step.pk), "https://example.com").rsplit("/", 2)[
        -2
    ]
    tampered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    assert client.get(f"/e/c/{tampered}/").status_code == 404
    no_scheme = signing.dumps([sent_step.pk, "javascript:alert(1)"], salt=email_links.CLICK_SALT)
    assert client.get(f"/e/c/{no_scheme}/").status_code == 404
    assert not Activity.objects.exists()


def test_the_html_part_tracks_links_and_leaves_the_text_readable(sent_step):
    html = email_links.html_body(
        "See https://example.com/a.\n<b>not html</b>",
        tracked=Tracked.step(sent_step.pk),
        unsubscribe="U",
    )
    assert "&lt;b&gt;not html&lt;/b&gt;" in html
    assert ">https://example.com/a</a>." in html
    (token,) = [part.split("/")[0] for part in html.split("/e/c/")[1:]]
    assert email_links.read_click(token) == (Tracked.step(sent_step.pk), "https://example.com/a")


def test_the_unsubscribe_page_asks_first_then_opts_the_contact_out(client, sent_step, pat):
    url = path(email_links.unsubscribe_url(pat.pk))
    page = client.get(url)
    assert page.status_code == 200
    assert b"pat@stripe.com" in page.content and b"Unsubscribe?" in page.content
    pat.refresh_from_db()
    assert pat.outreach_status == Contact.OutreachStatus.ACTIVE  # a link scanner's GET is harmless

    done = client.post(url)
    assert b"You are unsubscribed" in done.content
    pat.refresh_from_db()
    assert pat.outreach_status == Contact.OutreachStatus.OPTED_OUT
    assert OutreachSequence.objects.get().stop_reason == "Opted out"
    assert b"You are unsubscribed" in client.get(url).content


def test_an_unsubscribe_link_only_opts_out_its_own_contact(client, prospect, pat):
    sam = ContactFactory(prospect=prospect)
    token = email_links.unsubscribe_url(pat.pk).rsplit("/", 2)[-2]
    value, signature = token.rsplit(":", 1)
    forged = signing.dumps(sam.pk, salt=email_links.UNSUBSCRIBE_SALT).rsplit(":", 1)[0]
    assert client.post(f"/unsubscribe/{forged}:{signature}/").status_code == 404
    assert client.post(f"/unsubscribe/{value}x:{signature}/").status_code == 404
    sam.refresh_from_db()
    assert sam.outreach_status == Contact.OutreachStatus.ACTIVE
