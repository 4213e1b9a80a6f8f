"""The PDF report: a real PDF made for the prospect, whatever alphabet their name is in, and a
download that tells the admins and queues one call task."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from pypdf import PdfReader

from outreach.models import Activity, Notification, OutreachLog, WizardSession
from outreach.wizard import report as wizard_report
from tests.factories import ContactFactory, ProspectFactory, TagFactory, WizardLinkFactory


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def stripe(workspace, bob):
    prospect = ProspectFactory(
        workspace=workspace,
        name="Stripe",
        domain="stripe.com",
        owner=bob,
        custom_fields={"industry": "Payments", "notes": "Keep this internal"},
        tags=[TagFactory(workspace=workspace, name="payments")],
    )
    ContactFactory(prospect=prospect, first_name="Avery")
    return prospect


def download(client, link, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(f"/w/{link.token}/report.pdf")


def test_the_report_is_a_pdf_made_for_the_prospect(
    prospect_client, stripe, django_capture_on_commit_callbacks
):
    link = WizardLinkFactory(prospect=stripe)
    response = download(prospect_client, link, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="stripe-report.pdf"'
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "A report for Stripe" in text
    for fact in ("stripe.com", "Payments", "payments", "Acme Sales", "bob@example.com"):
        assert fact in text
    assert "Keep this internal" not in text
    assert len(PdfReader(io.BytesIO(response.content)).pages) <= 2


def require_fonts(*, cjk: bool) -> None:
    """Skip, saying which Debian package is missing, unless the report can draw beyond Latin-1
    (DejaVu Sans) and, for CJK, with the Droid Sans Fallback font; under CI that is a failure."""
    missing = []
    if not any(Path(path).is_file() for path in wizard_report.FONT_REGULAR):
        missing.append("fonts-dejavu-core")
    if cjk and not any(Path(path).is_file() for path in wizard_report.FONT_FALLBACK):
        missing.append("fonts-droid-fallback")
    if missing:
        message = f"needs Debian's {' and '.join(missing)} (apt-get install -y {' '.join(missing)})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


# Latin-1 names need no system font: the PDF core fonts draw them.
@pytest.mark.parametrize(
    ("name", "fonts"),
    [
        ("Société Générale", "core"),
        ("Zürich Versicherung", "core"),
        ("Łódź", "unicode"),
        ("北京科技", "cjk"),
    ],
    ids=["french", "german", "polish", "chinese"],
)
def test_names_in_any_alphabet_make_a_readable_report(workspace, name, fonts):
    if fonts != "core":
        require_fonts(cjk=fonts == "cjk")
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace, name=name))
    text = pdf_text(wizard_report.render_prospect_report(link=link))
    assert f"A report for {name}" in text


def test_without_unicode_fonts_the_report_still_renders_with_what_can_be_drawn(
    workspace, monkeypatch
):
    monkeypatch.setattr(wizard_report, "FONT_REGULAR", ("/nonexistent/font.ttf",))
    wizard_report._fonts.cache_clear()
    try:
        cases = {
            "Société Générale": "A report for Société Générale",
            "Łódź Logistics": "A report for Lódz Logistics",
            "北京": "A report for ",  # nothing drawable: the domain stands in
        }
        for name, expected in cases.items():
            prospect = ProspectFactory(workspace=workspace, name=name, domain=f"{len(name)}.cn")
            text = pdf_text(
                wizard_report.render_prospect_report(link=WizardLinkFactory(prospect=prospect))
            )
            assert expected in text
            if name == "北京":
                assert "A report for 2.cn" in text
    finally:
        wizard_report._fonts.cache_clear()


def test_a_download_is_recorded_and_the_admins_are_told(
    prospect_client, stripe, alice, django_capture_on_commit_callbacks
):
    link = WizardLinkFactory(prospect=stripe)
    download(prospect_client, link, django_capture_on_commit_callbacks)

    session = WizardSession.objects.get(link=link)
    assert session.pdf_downloads == 1
    assert session.last_pdf_download_at is not None
    activity = Activity.objects.get(prospect=stripe, kind=Activity.Kind.PDF_DOWNLOAD)
    assert activity.contact.first_name == "Avery"
    notification = Notification.objects.get()
    assert notification.recipient == alice
    assert notification.title == "Stripe downloaded the PDF report"
    assert notification.link == f"/prospects/{stripe.pk}/"
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_download_queues_one_high_priority_call_task_however_often_it_is_clicked(
    prospect_client, stripe, alice, django_capture_on_commit_callbacks
):
    link = WizardLinkFactory(prospect=stripe)
    for _ in range(3):
        download(prospect_client, link, django_capture_on_commit_callbacks)

    task = OutreachLog.objects.get(prospect=stripe)
    assert task.subject == "Follow-up: prospect downloaded PDF report"
    assert task.metadata["triggerSource"] == "pdf_download"
    assert task.priority_label == "high"
    assert WizardSession.objects.get(link=link).pdf_downloads == 3
    assert Activity.objects.filter(kind=Activity.Kind.PDF_DOWNLOAD).count() == 3
    # The admins heard of the first download; the next clicks came minutes later.
    assert Notification.objects.count() == 1


def test_the_admins_hear_again_after_a_quiet_day(
    prospect_client, stripe, alice, django_capture_on_commit_callbacks
):
    link = WizardLinkFactory(prospect=stripe)
    download(prospect_client, link, django_capture_on_commit_callbacks)
    session = WizardSession.objects.get(link=link)
    WizardSession.objects.filter(pk=session.pk).update(
        last_pdf_download_at=session.last_pdf_download_at - timedelta(days=2)
    )
    download(prospect_client, link, django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 2
