"""Importing prospects and their contacts from the CSV files real tools export."""

import csv
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import TestCase

from outreach.lists.services import imports
from outreach.models import Contact, ImportJob, Prospect
from tests.factories import ContactFactory, ProspectFactory, TagFactory

# A spreadsheet export from Windows: Windows-1252 text, `;` between fields, a BOM-less header,
# a quoted newline in an address, blank lines, a column nobody maps, and three bad rows.
MESSY = (
    "Company;Website;First name;Last name;Email;Notes;Tags\r\n"
    'Café Crème;cafecreme.fr;Zoë;Müller;zoe@cafecreme.fr;"12 rue de Paris\r\n75001";vip\r\n'
    "\r\n"
    "Café Crème;cafecreme.fr;Jean;Dupont;jean@cafecreme.fr;;vip\r\n"
    "Brex;brex.com;Pat;Lee;ZOE@cafecreme.fr;;\r\n"
    ";nameless.io;No;Name;no@nameless.io;;\r\n"
    "Plaid;plaid.com;Ann;Ng;not-an-email;;\r\n"
    "Ramp;ramp.com;Ravi;Shah;ravi@ramp.com;;fintech,vip\r\n"
    "\r\n"
)


def run_import(workspace, data: bytes, *, on_duplicate="skip", mapping=None, by=None):
    job = imports.import_create(
        workspace=workspace, by=by, file_name="leads.csv", upload=io.BytesIO(data)
    )
    start(job, mapping or job.mapping, on_duplicate)
    return job


def start(job, mapping, on_duplicate="skip"):
    """Start the import and run its task once the start commits, as a worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        imports.import_start(job=job, mapping=mapping, on_duplicate=on_duplicate)
    job.refresh_from_db()


@pytest.mark.django_db
def test_a_messy_export_imports_its_good_rows_and_reports_each_bad_one_with_its_line(
    workspace, alice
):
    job = run_import(workspace, MESSY.encode("cp1252"), by=alice)

    assert job.encoding == "cp1252" and job.delimiter == ";"
    assert job.status == ImportJob.Status.DONE
    assert [e["line"] for e in job.errors] == [6, 7, 8]
    reasons = [e["reason"] for e in job.errors]
    assert "zoe@cafecreme.fr is already on line 2" in reasons[0]
    assert "company name is empty" in reasons[1]
    assert "'not-an-email' is not an email address" in reasons[2]
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (
        3,
        0,
        0,
        3,
    )
    cafe = Prospect.objects.get(workspace=workspace, domain="cafecreme.fr")
    assert cafe.name == "Café Crème"
    assert sorted(cafe.contacts.values_list("first_name", flat=True)) == ["Jean", "Zoë"]
    assert sorted(cafe.tags.values_list("name", flat=True)) == ["vip"]
    ramp = Prospect.objects.get(workspace=workspace, domain="ramp.com")
    assert sorted(ramp.tags.values_list("name", flat=True)) == ["fintech", "vip"]
    # Nothing half-written: the rows that failed left no prospect behind.
    assert not Prospect.objects.filter(domain__in=["brex.com", "nameless.io", "plaid.com"]).exists()
    assert Contact.objects.filter(workspace=workspace).count() == 3

    with default_storage.open(job.error_report, "rb") as report:
        rows = list(csv.reader(io.StringIO(report.read().decode("utf-8"))))
    assert rows[0][:3] == ["line", "reason", "Company"]
    assert [row[0] for row in rows[1:]] == ["6", "7", "8"]
    assert rows[1][2:5] == ["Brex", "brex.com", "Pat"]


@pytest.mark.django_db
def test_a_utf8_file_with_a_bom_and_tabs_is_read_with_its_header_intact(workspace):
    data = "\ufeffCompany\tDomain\tEmail\tFirst name\nStripe\tstripe.com\tpat@stripe.com\tPat\n"
    job = run_import(workspace, data.encode("utf-8"))
    assert job.headers == ["Company", "Domain", "Email", "First name"]
    assert job.mapping == ["name", "domain", "email", "first_name"]
    assert job.created_count == 1
    assert Contact.objects.get(email="pat@stripe.com").prospect.name == "Stripe"


@pytest.mark.django_db
def test_importing_the_same_file_again_with_skip_creates_nothing(workspace):
    data = MESSY.encode("cp1252")
    run_import(workspace, data)
    prospects, contacts = Prospect.objects.count(), Contact.objects.count()
    again = run_import(workspace, data)
    assert (Prospect.objects.count(), Contact.objects.count()) == (prospects, contacts)
    assert again.created_count == 0 and again.skipped_count == 3


@pytest.mark.django_db
def test_update_fills_existing_records_and_leaves_other_workspaces_alone(
    workspace, other_workspace
):
    mine = ProspectFactory(workspace=workspace, name="Old name", domain="stripe.com")
    ContactFactory(prospect=mine, email="pat@stripe.com", title="")
    theirs = ProspectFactory(workspace=other_workspace, name="Theirs", domain="stripe.com")
    data = b"Company,Domain,Email,Title\nStripe,stripe.com,pat@stripe.com,CFO\n"
    job = run_import(workspace, data, on_duplicate="update")
    assert job.updated_count == 1 and job.created_count == 0
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.name == "Stripe" and theirs.name == "Theirs"
    assert Contact.objects.get(workspace=workspace, email="pat@stripe.com").title == "CFO"


@pytest.mark.django_db
def test_create_adds_a_second_prospect_but_a_taken_email_fails_its_whole_row(workspace):
    ProspectFactory(workspace=workspace, name="Stripe", domain="stripe.com")
    ContactFactory(prospect=ProspectFactory(workspace=workspace), email="taken@x.io")
    data = b"Company,Domain,Email\nStripe,stripe.com,new@stripe.com\nNewco,newco.io,taken@x.io\n"
    job = run_import(workspace, data, on_duplicate="create")
    assert job.created_count == 1 and job.failed_count == 1
    assert Prospect.objects.filter(workspace=workspace, name="Stripe").count() == 2
    assert job.errors == [
        {"line": 3, "reason": "A contact with the email taken@x.io already exists."}
    ]
    assert not Prospect.objects.filter(domain="newco.io").exists()


@pytest.mark.django_db
def test_custom_fields_owner_status_and_time_zone_are_imported(workspace, alice):
    TagFactory(workspace=workspace, name="VIP")
    data = (
        "Company,Owner,Status,Annual revenue,Email,Time zone,Tags\n"
        f"Stripe,{alice.email.upper()},engaged,$1M,pat@stripe.com,Europe/Paris,vip\n"
        "Brex,nobody@else.io,new,,ann@brex.com,,\n"
        "Plaid,,Sleeping,,bo@plaid.com,,\n"
        "Ramp,,,,ravi@ramp.com,Mars/Olympus,\n"
    ).encode()
    job = imports.import_create(
        workspace=workspace, by=alice, file_name="x.csv", upload=io.BytesIO(data)
    )
    mapping = [*job.mapping]
    assert mapping[3] == ""
    mapping[3] = "custom:annual_revenue"
    start(job, mapping)
    stripe = Prospect.objects.get(name="Stripe")
    assert stripe.owner == alice and stripe.status == "ENGAGED"
    assert stripe.custom_fields == {"annual_revenue": "$1M"}
    assert [t.name for t in stripe.tags.all()] == ["VIP"]
    assert Contact.objects.get(email="pat@stripe.com").time_zone == "Europe/Paris"
    assert [e["line"] for e in job.errors] == [3, 4, 5]
    assert "owner email" in job.errors[0]["reason"]
    assert "'Sleeping' is not a status" in job.errors[1]["reason"]
    assert "not a time zone" in job.errors[2]["reason"]


@pytest.mark.django_db
def test_a_mapping_without_a_company_name_or_with_a_field_twice_is_refused(workspace):
    job = imports.import_create(
        workspace=workspace, by=None, file_name="x.csv", upload=io.BytesIO(b"A,B\n1,2\n")
    )
    with pytest.raises(imports.ValidationFailed, match="company name"):
        imports.import_start(job=job, mapping=["", "email"], on_duplicate="skip")
    with pytest.raises(imports.ValidationFailed, match="Two columns"):
        imports.import_start(job=job, mapping=["name", "name"], on_duplicate="skip")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, reason",
    [(b"", "empty"), (b"\x00\x01\x02PK", "binary"), (b"Company\n", "no rows")],
)
def test_a_file_that_is_not_a_csv_is_refused_with_the_reason(workspace, data, reason):
    with pytest.raises(imports.ValidationFailed, match=reason):
        imports.import_create(workspace=workspace, by=None, file_name="x", upload=io.BytesIO(data))
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_an_import_past_its_time_budget_goes_on_in_a_new_run_without_redoing_rows(
    workspace, settings, monkeypatch
):
    settings.IMPORT_TIME_BUDGET_SECONDS = 0
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    ticks = iter(range(1000))
    # Each run has time for one batch: the budget is checked before each.
    monkeypatch.setattr(imports.time, "monotonic", lambda: next(ticks) * 0.5)
    rows = "".join(f"Co {i},co{i}.io,p{i}@co{i}.io\n" for i in range(5))
    data = ("Company,Domain,Email\n" + rows + "Bad,bad.io,nope\n").encode()
    job = run_import(workspace, data)

    assert job.status == ImportJob.Status.DONE
    assert (job.processed_rows, job.created_count, job.failed_count) == (6, 5, 1)
    assert Prospect.objects.filter(workspace=workspace).count() == 5
    with default_storage.open(job.error_report, "rb") as report:
        lines = report.read().decode().splitlines()
    assert lines[0].startswith("line,reason") and len(lines) == 2 and lines[1].startswith("7,")


TRICKY_EMAILS = [
    "pat@stripe.com",
    "a.b+c@mail.co.uk",
    "a..b@stripe.com",
    ".a@stripe.com",
    "a@-stripe.com",
    "a@stripe-.com",
    "a@stripe.c",
    "a@stripe.com-",
    "a@stripe.123",
    "a@localhost",
    "a@[127.0.0.1]",
    "zoë@café.fr",
    "a@b@c.io",
    "a@stripe..com",
    "a b@stripe.com",
    '"a b"@stripe.com',
]
TRICKY_WEBSITES = [
    "https://stripe.com",
    "http://www.stripe.com:8080/about?x=1#top",
    "https://-stripe.com",
    "https://stripe-.com",
    "https://stripe.c",
    "https://stripe.com:123456",
    "https://stripe..com",
    "https://stripe.com/a b",
    "https://user:pw@stripe.com",
    "https://127.0.0.1",
    "https://café.fr",
    "ftp://stripe.com",
    "https://localhost",
    "https://" + "a" * 63 + ".com",
    "https://" + "a" * 64 + ".com",
    "https://" + ".".join(["abcdefghij"] * 25) + ".com",
]


def test_the_quick_email_and_website_checks_refuse_exactly_what_django_refuses():
    """The import checks plain addresses with a short pattern before Django's validators: the
    two must agree on every value, the pattern only ever saving the validator's time."""

    def verdict(check, value):
        try:
            check(value)
        except ValidationError:
            return False
        return True

    rng = random.Random(7)
    alphabet = "ab0-._@:/ëK+[]"
    emails = [*TRICKY_EMAILS, *("".join(rng.choices(alphabet, k=9)) for _ in range(3000))]
    sites = [f"https://{''.join(rng.choices(alphabet, k=10))}" for _ in range(3000)]
    for value in emails:
        assert verdict(imports._email_ok, value) == verdict(imports._email_validator, value), value
    for value in [*TRICKY_WEBSITES, *sites]:
        assert verdict(imports._url_ok, value) == verdict(imports._url_validator, value), value
    assert imports._PLAIN_EMAIL.fullmatch("pat@stripe.com")
    assert imports._PLAIN_URL.fullmatch("https://www.stripe.com/about")


@pytest.mark.django_db
def test_a_long_import_refreshes_the_planner_statistics_each_time_it_doubles(
    workspace, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH_ROWS", 1)
    refreshed_after = []
    monkeypatch.setattr(
        imports,
        "_refresh_statistics",
        lambda: refreshed_after.append(Prospect.objects.filter(workspace=workspace).count()),
    )
    rows = "".join(f"Co {i},co{i}.io\n" for i in range(45))
    job = run_import(workspace, ("Company,Domain\n" + rows).encode())
    assert job.created_count == 45
    # Before the 10th, 20th and 40th batches: 9, 19 and 39 prospects written by then.
    assert refreshed_after == [9, 19, 39]
