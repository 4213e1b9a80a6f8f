"""Shared fixtures: the named actors (alice the admin, bob the rep, charlie the stranger from
another workspace) and API clients that act as them."""

import json
import os
import random
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from outreach.models import Role, Workspace
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory, api_key_for

# Fixtures of real services a test stops on purpose (a database proxy, the app's processes).
pytest_plugins = ["tests.outages"]


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests on SQLite, saying why."""
    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); SQLite has no row locks")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


class ApiClient:
    """A JSON client for /api/v1/ that sends a bearer key."""

    def __init__(self, raw_key: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {raw_key}"} if raw_key else {}

    def request(self, method: str, path: str, body: Any = None, **params: Any):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        call = getattr(self.client, method.lower())
        if method.upper() in {"GET", "DELETE"} and body is None:
            return call(url, params or None, headers=self.headers)
        return call(
            url, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def get(self, path: str, **params: Any):
        return self.request("GET", path, **params)

    def post(self, path: str, body: Any = None):
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any = None):
        return self.request("PATCH", path, body)

    def delete(self, path: str):
        return self.request("DELETE", path)


@pytest.fixture
def workspace(db) -> Workspace:
    return WorkspaceFactory(name="Acme Sales", slug="acme")


@pytest.fixture
def other_workspace(db) -> Workspace:
    return WorkspaceFactory(name="Globex Sales", slug="globex")


@pytest.fixture
def alice(workspace):
    """An admin of the workspace."""
    user = UserFactory(username="alice")
    MembershipFactory(workspace=workspace, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def bob(workspace):
    """A rep in the same workspace."""
    user = UserFactory(username="bob")
    MembershipFactory(workspace=workspace, user=user, role=Role.REP)
    return user


@pytest.fixture
def charlie(other_workspace):
    """An admin of another workspace: a stranger to alice and bob's data."""
    user = UserFactory(username="charlie")
    MembershipFactory(workspace=other_workspace, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def api(workspace) -> ApiClient:
    """An admin API key of the workspace."""
    return ApiClient(api_key_for(workspace, role=Role.ADMIN))


@pytest.fixture
def rep_api(workspace) -> ApiClient:
    return ApiClient(api_key_for(workspace, role=Role.REP))


@pytest.fixture
def stranger_api(other_workspace) -> ApiClient:
    return ApiClient(api_key_for(other_workspace, role=Role.ADMIN))


@pytest.fixture
def alice_client(alice, client):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def prospect_client(db) -> Client:
    """An anonymous visitor of the public pages, from an address of its own: per-address rate
    limits (kept in Redis between runs) never carry over from another test."""
    address = f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"
    return Client(REMOTE_ADDR=address)


def pytest_configure(config):
    # Playwright drives the browser from an event loop in the test thread; the ORM calls that
    # the same thread makes around it are safe there.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
