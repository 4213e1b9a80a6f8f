"""API keys: shown once, stored hashed, scoped to a workspace, revocable, last use noted."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from outreach.models import ApiKey
from tests.conftest import ApiClient


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(api, workspace):
    response = api.post("api-keys", {"name": "Zapier", "role": "rep"})
    assert response.status_code == 201
    raw_key = response.json()["key"]
    assert raw_key.startswith("crm_")

    stored = ApiKey.objects.get(pk=response.json()["id"])
    assert stored.key_hash == ApiKey.hash_key(raw_key)
    assert raw_key not in {stored.key_hash, stored.prefix, stored.name}
    listed = api.get("api-keys").json()["items"]
    assert all("key" not in item for item in listed)
    assert ApiClient(raw_key).get("prospects").status_code == 200


def test_a_revoked_key_stops_working_at_once(api):
    created = api.post("api-keys", {"name": "Old integration"}).json()
    client = ApiClient(created["key"])
    assert client.get("prospects").status_code == 200

    assert api.delete(f"api-keys/{created['id']}").json()["revoked_at"] is not None
    assert client.get("prospects").status_code == 401


def test_unknown_and_malformed_keys_are_refused(db):
    assert ApiClient("crm_not-a-real-key").get("prospects").status_code == 401
    assert ApiClient("nonsense").get("prospects").status_code == 401
    assert ApiClient().get("prospects").status_code == 401


def test_last_use_is_noted_at_most_once_a_minute(api, workspace):
    created = api.post("api-keys", {"name": "CRM sync"}).json()
    client = ApiClient(created["key"])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("prospects")
        first = ApiKey.objects.get(pk=created["id"]).last_used_at
        assert first == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get("prospects")
        assert ApiKey.objects.get(pk=created["id"]).last_used_at == first
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get("prospects")
        assert ApiKey.objects.get(pk=created["id"]).last_used_at > first


def test_only_admins_manage_keys(rep_api):
    assert rep_api.get("api-keys").status_code == 403
    response = rep_api.post("api-keys", {"name": "Sneaky"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Only workspace admins can do this."
