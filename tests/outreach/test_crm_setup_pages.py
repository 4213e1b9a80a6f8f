"""Admins set up the workspace's tags and pipelines; reps cannot. Renaming and reordering a
pipeline's stages keeps their deals; a stage or pipeline with deals is not removed."""

import pytest

from config.errors import Conflict, ValidationFailed
from outreach.crm.services.deals import pipeline_update
from outreach.models import Pipeline, Stage, Tag
from tests.factories import DealFactory, PipelineFactory, ProspectFactory, TagFactory


def stage_names(pipeline) -> list[str]:
    return list(pipeline.stages.order_by("position").values_list("name", flat=True))


@pytest.fixture
def sales(workspace):
    return PipelineFactory(workspace=workspace, name="Sales", stages=["Lead", "Demo", "Won"])


def test_stages_are_renamed_reordered_added_and_removed_keeping_their_deals(sales):
    lead, demo, won = sales.stages.order_by("position")
    deal = DealFactory(prospect__workspace=sales.workspace, pipeline=sales, stage=demo)
    pipeline_update(
        pipeline=sales,
        name="New business",
        stages=[
            {"id": demo.pk, "name": "Lead"},  # takes a name another stage gives up
            {"id": lead.pk, "name": "Demo"},
            {"id": None, "name": "Trial"},
        ],
    )
    sales.refresh_from_db()
    assert sales.name == "New business"
    assert stage_names(sales) == ["Lead", "Demo", "Trial"]
    deal.refresh_from_db()
    assert deal.stage_id == demo.pk
    assert not Stage.objects.filter(pk=won.pk).exists()


def test_a_stage_with_deals_stays_and_nothing_changes(sales):
    lead, demo, won = sales.stages.order_by("position")
    DealFactory(prospect__workspace=sales.workspace, pipeline=sales, stage=won)
    with pytest.raises(Conflict) as refused:
        pipeline_update(
            pipeline=sales,
            name="Renamed",
            stages=[{"id": lead.pk, "name": "First"}, {"id": demo.pk, "name": "Second"}],
        )
    assert "Won" in refused.value.message
    assert stage_names(sales) == ["Lead", "Demo", "Won"]
    assert Pipeline.objects.get(pk=sales.pk).name == "Sales"


def test_stage_lists_that_make_no_sense_are_refused(sales, workspace):
    lead = sales.stages.get(name="Lead")
    elsewhere = PipelineFactory(workspace=workspace).stages.first()
    for stages in (
        [],
        [{"id": lead.pk, "name": "A"}, {"id": None, "name": "a"}],
        [{"id": elsewhere.pk, "name": "Stolen"}],
        [{"id": lead.pk, "name": "A"}, {"id": lead.pk, "name": "B"}],
        [{"id": None, "name": "   "}],
    ):
        with pytest.raises(ValidationFailed):
            pipeline_update(pipeline=sales, stages=stages)
    assert stage_names(sales) == ["Lead", "Demo", "Won"]


def test_an_admin_edits_a_pipeline_on_its_page(alice_client, sales):
    lead, demo, won = sales.stages.order_by("position")
    form = {
        "name": "Sales",
        "stages-TOTAL_FORMS": "5",
        "stages-INITIAL_FORMS": "3",
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "30",
        "stages-0-id": lead.pk,
        "stages-0-name": "Lead",
        "stages-0-ORDER": "2",
        "stages-1-id": demo.pk,
        "stages-1-name": "Discovery call",
        "stages-1-ORDER": "1",
        "stages-2-id": won.pk,
        "stages-2-name": "Won",
        "stages-2-ORDER": "3",
        "stages-2-DELETE": "on",
        "stages-3-name": "Closed won",
        "stages-4-name": "",
    }
    response = alice_client.post(f"/settings/pipelines/{sales.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stage_names(sales) == ["Discovery call", "Lead", "Closed won"]

    DealFactory(prospect__workspace=sales.workspace, pipeline=sales, stage=lead)
    form.update({"stages-2-id": "", "stages-0-DELETE": "on", "stages-2-DELETE": ""})
    refused = alice_client.post(f"/settings/pipelines/{sales.pk}/edit/", form)
    assert refused.status_code == 422
    assert "still has 1 deal" in refused.content.decode()


def test_an_admin_creates_a_pipeline_and_deletes_an_empty_one(alice_client, workspace):
    response = alice_client.post(
        "/settings/pipelines/new/",
        {
            "name": "Partners",
            "stages-TOTAL_FORMS": "3",
            "stages-INITIAL_FORMS": "0",
            "stages-0-name": "Intro",
            "stages-1-name": "Signed",
            "stages-2-name": "",
        },
    )
    assert response.status_code == 302
    partners = Pipeline.objects.get(workspace=workspace, name="Partners")
    assert stage_names(partners) == ["Intro", "Signed"]
    assert (
        "Delete the pipeline Partners?"
        in alice_client.get(f"/settings/pipelines/{partners.pk}/delete/").content.decode()
    )
    alice_client.post(f"/settings/pipelines/{partners.pk}/delete/")
    assert not Pipeline.objects.filter(pk=partners.pk).exists()


def test_a_pipeline_with_deals_is_not_deleted(alice_client, sales):
    DealFactory(prospect__workspace=sales.workspace, pipeline=sales)
    page = alice_client.get(f"/settings/pipelines/{sales.pk}/delete/").content.decode()
    assert "cannot be deleted yet" in page
    alice_client.post(f"/settings/pipelines/{sales.pk}/delete/")
    assert Pipeline.objects.filter(pk=sales.pk).exists()


def test_the_api_edits_a_pipeline_for_admins_only(api, rep_api, sales):
    lead = sales.stages.get(name="Lead")
    body = {"stages": [{"id": lead.pk, "name": "Lead in"}, {"name": "Won"}]}
    assert rep_api.patch(f"pipelines/{sales.pk}", body).status_code == 403
    response = api.patch(f"pipelines/{sales.pk}", body)
    assert response.status_code == 200, response.json()
    assert [s["name"] for s in response.json()["stages"]] == ["Lead in", "Won"]


def test_an_admin_manages_tags_and_sees_where_they_are_used(alice_client, workspace):
    hot = TagFactory(workspace=workspace, name="hot")
    ProspectFactory(workspace=workspace, tags=[hot])
    page = alice_client.get("/settings/tags/").content.decode()
    assert "hot" in page

    created = alice_client.post("/settings/tags/", {"name": "cold", "color": "#0ea5e9"})
    assert created.status_code == 302
    taken = alice_client.post("/settings/tags/", {"name": "HOT", "color": "#0ea5e9"})
    assert taken.status_code == 422 and "already exists" in taken.content.decode()
    bad_colour = alice_client.post("/settings/tags/", {"name": "x", "color": "red"})
    assert bad_colour.status_code == 422

    alice_client.post(f"/settings/tags/{hot.pk}/edit/", {"name": "warm", "color": "#f59e0b"})
    hot.refresh_from_db()
    assert (hot.name, hot.color) == ("warm", "#f59e0b")
    assert (
        "It comes off 1 prospect."
        in alice_client.get(f"/settings/tags/{hot.pk}/delete/").content.decode()
    )
    alice_client.post(f"/settings/tags/{hot.pk}/delete/")
    assert list(Tag.objects.filter(workspace=workspace).values_list("name", flat=True)) == ["cold"]


@pytest.mark.parametrize(
    "path",
    [
        "/settings/tags/",
        "/settings/tags/{tag}/edit/",
        "/settings/tags/{tag}/delete/",
        "/settings/pipelines/",
        "/settings/pipelines/new/",
        "/settings/pipelines/{pipeline}/edit/",
        "/settings/pipelines/{pipeline}/delete/",
    ],
)
def test_reps_cannot_set_up_tags_or_pipelines(bob_client, workspace, sales, path):
    tag = TagFactory(workspace=workspace)
    url = path.format(tag=tag.pk, pipeline=sales.pk)
    assert bob_client.get(url).status_code == 403
    assert bob_client.post(url, {"name": "x"}).status_code == 403
    assert Tag.objects.filter(pk=tag.pk).exists() and Pipeline.objects.filter(pk=sales.pk).exists()
