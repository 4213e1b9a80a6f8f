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


def render(link) -> bytes:
    return wizard_report.render_prospect_report(wizard_report.report_content(link=link))


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
    # Streamed from the storage: its body can be read once.
    pdf = response.getvalue()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "A report for Stripe" in text
    for fact in ("stripe.com", "Payments", "payments", "Acme Sales", "bob@example.com"):
        assert fact in text
    assert "Keep this internal" not in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    # The next step: a link to pick a time on the prospect's own page.
    assert f"/w/{link.token}/4/" in text
    assert "Why this matters to Stripe" in text and "Book a call" in text


def test_the_report_tells_what_the_research_read_in_the_teams_colour(
    stripe, workspace, monkeypatch
):
    from outreach.wizard import report as report_module
    from outreach.wizard.research import ProspectResearch

    workspace.brand_color = "#0f766e"
    workspace.company_description = "Acme Sales answers every buyer within the hour."
    workspace.save()
    research = ProspectResearch(
        what_they_do="Financial infrastructure for the internet.",
        who_they_serve="Millions of businesses, from startups to public companies.",
        headlines=["Stripe Sessions 2026: what we announced"],
        own_words=["We build economic infrastructure for the internet."],
        source_url="https://stripe.com/",
    )
    monkeypatch.setattr(report_module, "prospect_research", lambda prospect: research)
    content = render(WizardLinkFactory(prospect=stripe))

    text = pdf_text(content)
    for said in (
        "Financial infrastructure for the internet.",
        "Millions of businesses",
        "Stripe Sessions 2026",
        "We build economic infrastructure",
        "Source: https://stripe.com/",
        "Acme Sales answers every buyer within the hour.",
    ):
        assert said in text
    first_page = PdfReader(io.BytesIO(content)).pages[0].get_contents().get_data()
    assert b"0.0588 0.4627 0.4314 rg" in first_page  # the band is the team's teal


def test_a_report_is_rendered_once_per_change_and_then_read_from_storage(
    prospect_client, stripe, monkeypatch, django_capture_on_commit_callbacks
):
    renders = []
    real = wizard_report.render_prospect_report
    monkeypatch.setattr(
        wizard_report, "render_prospect_report", lambda content: renders.append(1) or real(content)
    )
    link = WizardLinkFactory(prospect=stripe)
    first = download(prospect_client, link, django_capture_on_commit_callbacks).getvalue()
    second = download(prospect_client, link, django_capture_on_commit_callbacks).getvalue()
    assert (len(renders), first) == (1, second)

    stripe.name = "Stripe, Inc."
    stripe.save()
    renamed = download(prospect_client, link, django_capture_on_commit_callbacks).getvalue()
    assert len(renders) == 2
    assert "A report for Stripe, Inc." in pdf_text(renamed)
    assert WizardSession.objects.get(link=link).pdf_downloads == 3


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
    text = pdf_text(render(link))
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
            text = pdf_text(render(WizardLinkFactory(prospect=prospect)))
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
