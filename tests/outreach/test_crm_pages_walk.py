"""Every CRM dashboard page that takes an id, walked the way the API's tenancy test walks the
API: a member of another workspace (an admin there) gets a 404 for this workspace's records,
whether they read or post, and nothing of this workspace changes. Then every form is posted
garbage (hypothesis), and the answer is never a server error.

New pages are covered as soon as their URL exists; one that takes an id this walk does not
know fails with the name to add to `world`."""

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.models import Role
from tests.factories import (
    ContactFactory,
    DealFactory,
    MembershipFactory,
    PipelineFactory,
    ProspectFactory,
    TagFactory,
    TouchTaskFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.lists import api_world as lists_world
from tests.outreach.test_tenancy import fingerprint

# Values for the URL arguments that are not ids.
NAMED_ARGUMENTS = {"field": "status"}


def crm_pages() -> list[str]:
    """The route of every page in the crm and lists namespaces, e.g.
    'deals/<int:deal_id>/move/'."""
    resolver = get_resolver()
    return [
        str(p.pattern)
        for namespace in resolver.url_patterns
        if getattr(namespace, "namespace", None) in ("crm", "lists")
        for p in namespace.url_patterns
        if isinstance(p, URLPattern)
    ]


def world_of(workspace, owner, mark: str) -> dict[str, int]:
    tag = TagFactory(workspace=workspace, name=f"{mark}-tag")
    prospect = ProspectFactory(workspace=workspace, name=f"{mark} Corp", tags=[tag])
    contact = ContactFactory(prospect=prospect, first_name=f"{mark}Pat", tags=[tag])
    pipeline = PipelineFactory(workspace=workspace, name=f"{mark} pipeline")
    deal = DealFactory(prospect=prospect, pipeline=pipeline, contact=contact)
    task = TouchTaskFactory(prospect=prospect, contact=contact, assignee=owner)
    world = {
        "prospect_id": prospect.pk,
        "contact_id": contact.pk,
        "deal_id": deal.pk,
        "task_id": task.pk,
        "tag_id": tag.pk,
        "pipeline_id": pipeline.pk,
    }
    # An import (with its error report), a bulk action and a saved view.
    world.update(lists_world.build(workspace, owner, mark, world))
    return world


def url_of(route: str, world: dict[str, int]) -> str:
    url = "/" + route
    for part in route.split("<")[1:]:
        converter_and_name = part.split(">")[0]
        name = converter_and_name.split(":")[-1]
        if name in NAMED_ARGUMENTS:
            value = NAMED_ARGUMENTS[name]
        elif name in world:
            value = world[name]
        else:
            pytest.fail(f"The page walk does not know {name!r} (in {route}); add it to world_of")
        url = url.replace(f"<{converter_and_name}>", str(value))
    return url


@pytest.fixture
def homes(db):
    home = WorkspaceFactory(name="Home", slug="home")
    away = WorkspaceFactory(name="Away", slug="away")
    alice = UserFactory(username="alice")
    charlie = UserFactory(username="charlie")
    MembershipFactory(workspace=home, user=alice, role=Role.ADMIN)
    MembershipFactory(workspace=away, user=charlie, role=Role.ADMIN)
    return home, world_of(home, alice, "zzhome"), alice, charlie


def test_no_page_lets_another_workspace_read_or_write_this_one(homes):
    home, world, _, charlie = homes
    stranger = Client()
    stranger.force_login(charlie)
    before = fingerprint(home)
    walked = 0
    for route in crm_pages():
        if "<" not in route:
            continue
        url = url_of(route, world)
        for method in ("get", "post"):
            response = getattr(stranger, method)(url, headers={"HX-Request": "true"})
            assert response.status_code in (404, 405), f"{method.upper()} {url}: {response}"
            assert b"zzhome" not in response.content, f"{method.upper()} {url} leaked data"
        walked += 1
    assert walked >= 20
    assert fingerprint(home) == before


FIELD_NAMES = [
    "name",
    "website",
    "domain",
    "status",
    "owner",
    "tags",
    "prospect",
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "time_zone",
    "outreach_status",
    "stage",
    "contact",
    "value",
    "color",
    "kind",
    "call_outcome",
    "subject",
    "body",
    "occurred_at",
    "outcome",
    "preset",
    "until",
    "next",
    "channel",
    "priority",
    "due_at",
    "notes",
    "stages-TOTAL_FORMS",
    "stages-INITIAL_FORMS",
    "stages-0-id",
    "stages-0-name",
    "stages-0-ORDER",
    "stages-0-DELETE",
]
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "\x00", "call", "connected", "NEW", "tomorrow", "custom", "#12ab9Z"]),
    st.sampled_from(["2030-02-30T25:61", "9999-12-31T23:59", "1969-01-01T00:00", "1e309"]),
)
FORMS = st.dictionaries(st.sampled_from(FIELD_NAMES), VALUES, max_size=8)


@pytest.mark.django_db
def test_no_form_answers_garbage_with_a_server_error(homes):
    _, world, alice, _ = homes
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    urls = [url_of(route, world) for route in crm_pages()]

    @settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(form=FORMS, htmx=st.booleans())
    def post_garbage(form, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        for url in urls:
            response = client.post(url, form, headers=headers)
            assert response.status_code < 500, f"POST {url} {form!r}: {response.status_code}"
            response = client.get(url, form, headers=headers)
            assert response.status_code < 500, f"GET {url} {form!r}: {response.status_code}"

    post_garbage()
