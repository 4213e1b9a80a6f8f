"""Tenancy, for every route in the OpenAPI schema: a key of another workspace can neither read
nor change this workspace's objects, nor create anything that points into it.

New routes are covered as soon as they exist. A route whose path or body names an id this test
does not know yet fails with the name: the app that owns the route adds its objects in its
`tests/<app>/api_world.py` (see tests/api_world.py).
"""

import json
import re
from typing import Any

import pytest
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from outreach.models import (
    Activity,
    ApiKey,
    Contact,
    Deal,
    OutreachLog,
    Pipeline,
    Prospect,
    Role,
    Stage,
    Tag,
    Workspace,
)
from tests import api_world
from tests.conftest import ApiClient
from tests.factories import (
    ContactFactory,
    DealFactory,
    MembershipFactory,
    OutreachLogFactory,
    PipelineFactory,
    ProspectFactory,
    TagFactory,
    TouchTaskFactory,
    UserFactory,
    WorkspaceFactory,
    api_key_for,
)

MARKER = "zzalphazz"

# Optional body fields the examples fill in, so the request is one a real client would send.
NAMED_EXAMPLES = {
    "first_name": "Pat",
    "email": "pat@example.org",
    "subject": "Example subject",
    "name": "Example name",
    # A call is completed or logged with what happened on it.
    "call_outcome": "connected",
}


def build_world(workspace: Workspace, owner, mark: str) -> dict[str, int]:
    """One object of every kind in the workspace, named with `mark`; returns the ids by name."""
    tag = TagFactory(workspace=workspace, name=f"{mark}-tag")
    prospect = ProspectFactory(
        workspace=workspace, name=f"{mark} Corp", domain=f"{mark}.example", tags=[tag]
    )
    contact = ContactFactory(prospect=prospect, first_name=f"{mark}Pat", tags=[tag])
    pipeline = PipelineFactory(
        workspace=workspace, name=f"{mark} pipeline", stages=[f"{mark} one", f"{mark} two"]
    )
    deal = DealFactory(prospect=prospect, pipeline=pipeline, name=f"{mark} deal", contact=contact)
    task = TouchTaskFactory(prospect=prospect, contact=contact, subject=f"Call {mark}")
    OutreachLogFactory(prospect=prospect, contact=contact, subject=f"Email {mark}")
    api_key = ApiKey.objects.create(
        workspace=workspace, name=f"{mark} key", prefix="crm_x", key_hash=mark.ljust(64, "0")
    )
    world = {
        "prospect_id": prospect.pk,
        "contact_id": contact.pk,
        "tag_id": tag.pk,
        "pipeline_id": pipeline.pk,
        "stage_id": pipeline.stages.order_by("position").last().pk,
        "deal_id": deal.pk,
        "task_id": task.pk,
        "key_id": api_key.pk,
        "owner_id": owner.pk,
        "assignee_id": owner.pk,
    }
    for module in api_world.extensions():
        world.update(module.build(workspace, owner, mark, world))
    return world


def fingerprint(workspace: Workspace) -> str:
    """Every row of the workspace, serialized: any write into it changes this."""
    querysets = [
        Workspace.objects.filter(pk=workspace.pk),
        Prospect.objects.filter(workspace=workspace),
        Contact.objects.filter(workspace=workspace),
        Tag.objects.filter(workspace=workspace),
        Pipeline.objects.filter(workspace=workspace),
        Stage.objects.filter(pipeline__workspace=workspace),
        Deal.objects.filter(workspace=workspace),
        OutreachLog.objects.filter(workspace=workspace),
        Activity.objects.filter(workspace=workspace),
        ApiKey.objects.filter(workspace=workspace).defer("last_used_at"),
    ]
    for module in api_world.extensions():
        querysets.extend(module.rows(workspace))
    return "".join(serializers.serialize("json", qs.order_by("pk")) for qs in querysets)


class Rollback(Exception):
    pass


class Example:
    """A minimal valid request body for a JSON schema, with ids taken from a world."""

    def __init__(self, spec: dict, world: dict[str, int]):
        self.components = spec.get("components", {}).get("schemas", {})
        self.world = world

    def body(self, schema: dict) -> Any:
        return self.value(schema, name=None)

    def value(self, schema: dict, name: str | None) -> Any:
        if "$ref" in schema:
            return self.value(self.components[schema["$ref"].split("/")[-1]], name)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"]
                return self.value(options[0], name)
        if "allOf" in schema:
            merged: dict = {}
            for part in schema["allOf"]:
                merged.update(
                    self.components[part["$ref"].split("/")[-1]] if "$ref" in part else part
                )
            return self.value(merged, name)
        if name and name.endswith("_ids") and schema.get("type") == "array":
            return [self.value(schema["items"], name[:-1])]
        # Ids of objects are integers; a text field named *_id (a Message-ID) is not one.
        if name and name.endswith("_id") and schema.get("type") == "integer":
            if name not in self.world:
                pytest.fail(
                    f"The tenancy test does not know the id {name!r}; add it to build_world"
                )
            return self.world[name]
        if "enum" in schema:
            return schema["enum"][0]
        if name in NAMED_EXAMPLES and schema.get("type") == "string":
            return NAMED_EXAMPLES[name]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            properties = schema.get("properties", {})
            wanted = [
                prop
                for prop in properties
                if prop in schema.get("required", [])
                or prop in self.world
                or prop in NAMED_EXAMPLES
            ]
            return {prop: self.value(properties[prop], prop) for prop in wanted}
        if kind == "array":
            return [self.value(schema["items"], None)] * schema.get("minItems", 0)
        if kind == "string":
            return self.string(schema)
        if kind == "integer":
            return max(schema.get("minimum", 1), 1)
        if kind == "number":
            return max(schema.get("minimum", 1), 1)
        if kind == "boolean":
            return False
        return None

    @staticmethod
    def string(schema: dict) -> str:
        formats = {"date-time": "2030-01-02T10:00:00Z", "date": "2030-01-02", "time": "09:30:00"}
        if schema.get("format") in formats:
            return formats[schema["format"]]
        if schema.get("pattern") == "^#[0-9a-fA-F]{6}$":
            return "#336699"
        return "Example" + "x" * max(0, schema.get("minLength", 0) - 7)


def operations(spec: dict):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def request_body_schema(operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def call(client: ApiClient, spec: dict, path: str, method: str, operation: dict, world: dict):
    url = re.sub(r"\{(\w+)\}", lambda m: str(_path_id(m.group(1), world)), path)
    if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
        # An upload (a CSV import): a small file of the caller's own.
        upload = SimpleUploadedFile("list.csv", b"Company,Email\nUpload Co,pat@upload.example\n")
        return client.client.post(url, {"file": upload}, headers=client.headers), None
    schema = request_body_schema(operation)
    body = Example(spec, world).body(schema) if schema else None
    if method in {"get", "delete"}:
        return client.request(method.upper(), url), body
    return client.request(method.upper(), url, body or {}), body


def body_of(response) -> bytes:
    """The whole body, of a streamed response (a CSV export) too."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _path_id(name: str, world: dict) -> int:
    if name not in world:
        pytest.fail(f"The tenancy test does not know the path id {name!r}; add it to build_world")
    return world[name]


def _refers_to_ids(body: Any, world: dict) -> bool:
    text = json.dumps(body or {})
    return any(f'"{name}"' in text for name in world)


@pytest.mark.django_db
def test_no_route_lets_another_workspace_read_or_write_this_one(client):
    home = WorkspaceFactory(name=f"{MARKER} workspace", slug="home")
    away = WorkspaceFactory(name="Away workspace", slug="away")
    alice = UserFactory(username="alice", email=f"alice@{MARKER}.example")
    charlie = UserFactory(username="charlie")
    MembershipFactory(workspace=home, user=alice, role=Role.ADMIN)
    MembershipFactory(workspace=away, user=charlie, role=Role.ADMIN)
    home_world = build_world(home, alice, MARKER)
    away_world = build_world(away, charlie, "beta")
    stranger = ApiClient(api_key_for(away, role=Role.ADMIN))
    spec = client.get("/api/v1/openapi.json").json()
    before = fingerprint(home)
    checked = 0

    for path, method, operation in operations(spec):
        label = f"{method.upper()} {path}"
        # Control: the same request on the stranger's own objects works, so a refusal below is
        # about tenancy and not a malformed request.
        try:
            with transaction.atomic():
                response, _ = call(stranger, spec, path, method, operation, away_world)
                # 409 is a business rule (e.g. a pipeline that still has deals), met after the
                # request found its objects.
                assert response.status_code < 400 or response.status_code == 409, (
                    f"{label} control: {response.status_code} {body_of(response)[:300]}"
                )
                assert MARKER.encode() not in body_of(response), f"{label} leaked data"
                raise Rollback
        except Rollback:
            pass

        try:
            with transaction.atomic():
                response, body = call(stranger, spec, path, method, operation, home_world)
                assert MARKER.encode() not in body_of(response), f"{label} leaked data"
                if "{" in path:
                    assert response.status_code == 404, f"{label}: {response.status_code}"
                elif _refers_to_ids(body, home_world):
                    assert response.status_code in {404, 422}, f"{label}: {response.status_code}"
                assert fingerprint(home) == before, f"{label} changed the other workspace"
                raise Rollback
        except Rollback:
            pass
        checked += 1

    assert checked >= 25
    assert fingerprint(home) == before


@pytest.mark.django_db
def test_a_dashboard_session_reads_only_its_own_workspace_through_the_api(client):
    home = WorkspaceFactory(slug="home")
    away = WorkspaceFactory(slug="away")
    charlie = UserFactory(username="charlie")
    MembershipFactory(workspace=away, user=charlie, role=Role.ADMIN)
    prospect = ProspectFactory(workspace=home, name=f"{MARKER} Corp")
    client.force_login(charlie)
    assert client.get(f"/api/v1/prospects/{prospect.pk}").status_code == 404
    listing = client.get("/api/v1/prospects")
    assert listing.status_code == 200
    assert MARKER.encode() not in listing.content
    # Choosing a workspace one is not a member of does nothing.
    client.post("/workspace/switch/", {"workspace_id": home.pk})
    assert client.get(f"/api/v1/prospects/{prospect.pk}").status_code == 404
