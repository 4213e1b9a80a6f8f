"""Bulk actions over the prospect and contact lists: the ticked rows or all matching a filter,
small ones at once and large ones by a worker, never reaching another workspace."""

import pytest
from django.test import TestCase

from config.errors import ValidationFailed
from outreach.lists.services import bulk
from outreach.models import BulkAction, Contact, OutreachSequence, Prospect
from tests.factories import ContactFactory, ProspectFactory, TagFactory, sequence_with_steps


def act(workspace, by, action, *, target="prospects", ids=(), filters=None, **params):
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = bulk.bulk_action_create(
            workspace=workspace,
            by=by,
            target=target,
            action=action,
            params=params,
            record_ids=list(ids),
            filters=filters or {},
            select_all=filters is not None,
        )
    done.refresh_from_db()
    return done


@pytest.mark.django_db
def test_enrolling_prospects_enrolls_their_contacts_and_says_who_was_skipped(workspace, bob):
    sequence = sequence_with_steps(workspace, {"channel": "call"}, name="Intro")
    brex = ProspectFactory(workspace=workspace, name="Brex")
    ContactFactory(prospect=brex, email="a@brex.com")
    ContactFactory(prospect=brex, email="b@brex.com", outreach_status="OPTED_OUT")
    empty = ProspectFactory(workspace=workspace, name="Empty")

    result = act(workspace, bob, "enroll", ids=[brex.pk, empty.pk], sequence_id=sequence.pk)

    assert result.status == BulkAction.Status.DONE
    assert OutreachSequence.objects.filter(template=sequence).count() == 1
    assert result.done_count == 1 and result.skipped_count == 2
    assert result.summary == "Enrolled 1 contact of 2 prospects in Intro; 2 skipped."
    reasons = " ".join(item["reason"] for item in result.skipped)
    assert "opted out" in reasons and "Empty has no contacts" in reasons


@pytest.mark.django_db
def test_all_matching_a_filter_tags_every_match_and_nothing_else(workspace, other_workspace, bob):
    for i in range(3):
        ProspectFactory(workspace=workspace, name=f"Fintech {i}", status="NEW")
    ProspectFactory(workspace=workspace, name="Fintech won", status="WON")
    theirs = ProspectFactory(workspace=other_workspace, name="Fintech theirs", status="NEW")

    result = act(workspace, bob, "add_tag", filters={"q": "fintech", "status": "NEW"}, tag="Q3")

    assert result.total == 3 and result.done_count == 3
    tagged = Prospect.objects.filter(tags__name="Q3")
    assert sorted(p.name for p in tagged) == ["Fintech 0", "Fintech 1", "Fintech 2"]
    assert not theirs.tags.exists()


@pytest.mark.django_db
def test_ids_of_another_workspace_are_not_touched(workspace, other_workspace, bob):
    theirs = ProspectFactory(workspace=other_workspace)
    with pytest.raises(ValidationFailed, match="Select at least one"):
        act(workspace, bob, "delete", ids=[theirs.pk])
    assert Prospect.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_a_large_selection_runs_in_the_background_in_chunks(workspace, bob, monkeypatch):
    monkeypatch.setattr(bulk, "INLINE_LIMIT", 3)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    prospects = [ProspectFactory(workspace=workspace) for _ in range(5)]
    result = act(workspace, bob, "set_status", ids=[p.pk for p in prospects], status="ENGAGED")
    assert result.status == BulkAction.Status.DONE
    assert result.processed_count == 5 and result.done_count == 5
    assert set(Prospect.objects.values_list("status", flat=True)) == {"ENGAGED"}


@pytest.mark.django_db
def test_owner_untag_and_delete_on_contacts_and_prospects(workspace, alice, bob):
    vip = TagFactory(workspace=workspace, name="vip")
    prospect = ProspectFactory(workspace=workspace, tags=[vip])
    contact = ContactFactory(prospect=prospect, tags=[vip])

    act(workspace, bob, "assign_owner", ids=[prospect.pk], owner_id=alice.pk)
    act(workspace, bob, "remove_tag", target="contacts", ids=[contact.pk], tag="VIP")
    prospect.refresh_from_db()
    assert prospect.owner == alice and not contact.tags.exists()
    assert prospect.tags.filter(pk=vip.pk).exists()

    act(workspace, bob, "delete", target="contacts", ids=[contact.pk])
    assert not Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, params, field",
    [
        ("enroll", {"sequence_id": "x"}, "sequence_id"),
        ("assign_owner", {"owner_id": "99999"}, "owner_id"),
        ("set_status", {"status": "ASLEEP"}, "status"),
        ("add_tag", {"tag": ""}, "tag"),
        ("launch", {}, "action"),
    ],
)
def test_a_bad_action_or_choice_is_refused_before_anything_changes(
    workspace, bob, action, params, field
):
    prospect = ProspectFactory(workspace=workspace)
    with pytest.raises(ValidationFailed) as refusal:
        act(workspace, bob, action, ids=[prospect.pk], **params)
    assert field in refusal.value.field_errors
    assert not BulkAction.objects.exists()


@pytest.mark.django_db
def test_the_bulk_page_posts_and_shows_the_summary(bob_client, workspace):
    prospects = [ProspectFactory(workspace=workspace) for _ in range(2)]
    response = bob_client.post(
        "/bulk/",
        {
            "target": "prospects",
            "action": "set_status",
            "status": "WON",
            "ids": [p.pk for p in prospects],
            "next": "/prospects/?status=NEW",
        },
        follow=True,
    )
    assert b"Changed the status of 2 of 2 prospects." in response.content
    refused = bob_client.post(
        "/bulk/", {"target": "prospects", "action": "set_status", "next": "//evil.example/"}
    )
    assert refused.status_code == 302 and refused["Location"] == "/prospects/"
