"""Guessers are stopped: wrong passwords lock the account and the address for a while, wrong API
keys lock the address; the right password works again once the lockout is over, and an admin
can unlock sooner."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import ApiClient

PASSWORD = "correct horse battery"


def sign_in(client: Client, password: str, username: str = "alice", address: str = "203.0.113.7"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_twenty_wrong_passwords_lock_the_account_until_the_window_ends(alice, settings):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        answers = [sign_in(client, f"guess-{n}").status_code for n in range(20)]
        # The first failures are told the password is wrong; the one that reaches the limit
        # locks the account, and every try is then answered 429 with when to come back.
        limit = settings.LOGIN_FAILURE_LIMIT
        assert answers == [200] * (limit - 1) + [429] * (20 - limit + 1)
        locked = sign_in(client, PASSWORD)
        assert locked.status_code == 429
        assert locked["Retry-After"] == str(settings.LOGIN_LOCKOUT_MINUTES * 60)
        assert "Too many wrong passwords" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        # Another address does not help: the account itself is locked.
        assert sign_in(Client(), PASSWORD, address="198.51.100.9").status_code == 429

    later = start + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    with time_machine.travel(later, tick=False):
        response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_one_address_guessing_many_accounts_is_locked(alice, bob, settings):
    client = Client()
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "wrong", username=f"nobody-{n}")
    # The accounts themselves had one failure each, but this address is locked for all.
    assert sign_in(client, PASSWORD, username="bob").status_code == 429
    assert sign_in(Client(), PASSWORD, username="bob", address="198.51.100.9").status_code == 302


def test_an_admin_unlocks_an_account(alice, settings):
    client = Client()
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, f"guess-{n}")
    assert sign_in(client, PASSWORD).status_code == 429
    call_command("axes_reset_username", "alice")
    assert sign_in(client, PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_earlier_failures(alice, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302


def test_wrong_api_keys_lock_the_address(api, settings):
    settings.API_KEY_FAILURE_LIMIT = 5
    guesser = ApiClient("crm_" + "x" * 40)
    answers = [guesser.get("prospects").status_code for _ in range(8)]
    assert answers == [401] * 4 + [429] * 4
    locked = guesser.get("prospects")
    assert locked["Retry-After"] == str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    assert "wrong API key" in locked.json()["detail"]
    # From the locked address even the right key waits: a guess that hits is not told so.
    assert api.get("prospects").status_code == 429
    assert AccessAttempt.objects.get().username is None

    with time_machine.travel(
        timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    ):
        assert api.get("prospects").status_code == 200


def test_another_address_is_not_locked_by_a_guesser(api, settings):
    settings.API_KEY_FAILURE_LIMIT = 3
    guesser = ApiClient("crm_wrong")
    for _ in range(4):
        guesser.client.get("/api/v1/prospects", headers=guesser.headers, REMOTE_ADDR="203.0.113.7")
    assert api.get("prospects").status_code == 200


@pytest.mark.parametrize("variable", ["LOGIN_FAILURE_LIMIT", "LOGIN_LOCKOUT_MINUTES"])
def test_the_limits_must_be_positive(variable, monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings

    monkeypatch.setenv(variable, "0")
    with pytest.raises(ImproperlyConfigured, match=variable):
        importlib.reload(config.settings)
    monkeypatch.delenv(variable)
    importlib.reload(config.settings)
