"""Global search from the top bar: prospects, contacts (name, email, phone), deals and
replies of the member's workspace only."""

import pytest
from django.db import connection

from outreach.lists.selectors import search
from tests.factories import (
    ContactFactory,
    DealFactory,
    ProspectFactory,
    ReplyFactory,
)


@pytest.mark.django_db
def test_search_finds_each_kind_by_its_fields_and_never_another_workspace(
    workspace, other_workspace
):
    stripe = ProspectFactory(workspace=workspace, name="Stripe", domain="stripe.com")
    ada = ContactFactory(
        prospect=stripe,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@stripe.com",
        phone="+1 555 0100",
    )
    DealFactory(prospect=stripe, name="Stripe Atlas expansion")
    ReplyFactory(workspace=workspace, contact=ada, subject="Pricing", body="Let us talk pricing")
    theirs = ProspectFactory(workspace=other_workspace, name="Stripe Two", domain="stripe2.com")
    ContactFactory(prospect=theirs, first_name="Ada", email="ada@stripe2.com")

    assert [c.pk for c in search(workspace=workspace, query="ada@str").contacts] == [ada.pk]
    assert [c.pk for c in search(workspace=workspace, query="555 0100").contacts] == [ada.pk]
    assert [c.pk for c in search(workspace=workspace, query="ada lovelace").contacts] == [ada.pk]
    assert [p.pk for p in search(workspace=workspace, query="stripe").prospects] == [stripe.pk]
    assert [d.name for d in search(workspace=workspace, query="atlas").deals] == [
        "Stripe Atlas expansion"
    ]
    assert len(search(workspace=workspace, query="pricing").replies) == 1
    assert search(workspace=workspace, query="a").empty


@pytest.mark.django_db
def test_the_search_page_and_its_dropdown_answer_any_text(bob_client, workspace):
    ProspectFactory(workspace=workspace, name="Northwind")
    page = bob_client.get("/search/", {"q": "northw"})
    assert page.status_code == 200 and b"Northwind" in page.content
    dropdown = bob_client.get("/search/", {"q": "north"}, headers={"HX-Request": "true"})
    assert b"Northwind" in dropdown.content and b"<html" not in dropdown.content
    for text in ["\x00", "%", "_", "'; drop table", "a" * 5000, "(((", "& | !"]:
        assert bob_client.get("/search/", {"q": text}).status_code == 200


@pytest.mark.django_db
def test_a_last_name_ranks_the_people_who_bear_it_above_those_whose_email_has_it(workspace):
    acme = ProspectFactory(workspace=workspace, name="Acme", domain="acme.example")
    by_email = ContactFactory(
        prospect=acme, first_name="Al", last_name="Adams", email="jo.turing@acme.example"
    )
    alan = ContactFactory(prospect=acme, first_name="Alan", last_name="Turing", email="a@a.io")
    joan = ContactFactory(prospect=acme, first_name="Joan", last_name="Turing", email="j@a.io")
    ContactFactory(prospect=acme, first_name="Ada", last_name="Lovelace", email="ada@a.io")

    found = search(workspace=workspace, query="turing").contacts

    assert [c.pk for c in found] == [alan.pk, joan.pk, by_email.pk]
    assert [c.pk for c in search(workspace=workspace, query="joan tur").contacts] == [joan.pk]
    assert [c.pk for c in search(workspace=workspace, query="tur jo").contacts] == [
        joan.pk,
        by_email.pk,
    ]


@pytest.mark.django_db
def test_a_domain_finds_its_company_first_and_the_people_who_work_there(workspace, other_workspace):
    ProspectFactory(workspace=workspace, name="Big Retail", domain="shop-northwind.example")
    northwind = ProspectFactory(
        workspace=workspace, name="Zeta Northwind", domain="northwind.example"
    )
    ProspectFactory(workspace=workspace, name="Another", domain="another.example")
    rep = ContactFactory(prospect=northwind, last_name="Young", email="rep@northwind.example")
    ContactFactory(
        prospect=ProspectFactory(workspace=other_workspace, domain="northwind.example"),
        email="rep@northwind.example",
    )

    found = search(workspace=workspace, query="northwind.example")

    assert [p.name for p in found.prospects] == ["Zeta Northwind", "Big Retail"]
    assert [c.pk for c in found.contacts] == [rep.pk]


@pytest.mark.django_db
def test_the_first_hits_are_the_best_ones_when_many_records_match(workspace):
    acme = ProspectFactory(workspace=workspace, name="Acme", domain="acme.example")
    for n in range(8):
        ContactFactory(prospect=acme, last_name=f"Zed{n}", email=f"smith{n}@acme.example")
    smiths = [
        ContactFactory(prospect=acme, first_name=first, last_name="Smith").pk
        for first in ["Zoe", "Bea"]
    ]

    found = search(workspace=workspace, query="smith").contacts

    assert [c.pk for c in found[:2]] == smiths[::-1]
    assert [c.last_name for c in found[2:]] == ["Zed0", "Zed1", "Zed2", "Zed3"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_each_search_is_planned_for_its_own_text_however_often_it_runs(workspace):
    acme = ProspectFactory(workspace=workspace, name="Acme", domain="acme.example")
    rare = ContactFactory(prospect=acme, last_name="Rarename", email="r@acme.example")
    threshold = connection.connection.prepare_threshold

    # Past the connection's prepare threshold a statement is planned once for any text: a
    # plan made for "acme" walked every contact when the text was a rare last name.
    for text in ["acme", "common", "acme.example", "r@", "acme", "common", "acme", "rare"]:
        search(workspace=workspace, query=text)
    assert [c.pk for c in search(workspace=workspace, query="rarename").contacts] == [rare.pk]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%UPPER(%"],
        )
        assert cursor.fetchone()[0] == 0
    assert connection.connection.prepare_threshold == threshold
