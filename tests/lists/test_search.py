"""Global search from the top bar: prospects, contacts (name, email, phone), deals and
replies of the member's workspace only."""

import pytest

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
