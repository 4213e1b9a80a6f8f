"""Guessing wizard tokens: a flood of wrong ones is answered 429 quickly, while a prospect
using a real link is never limited, and one address's guessing does not block another's."""

from django.test import Client

from outreach.models import WizardSession
from tests.factories import ProspectFactory, WizardLinkFactory


def guesses(n: int) -> list[str]:
    return [f"/w/{str(i).rjust(32, 'A')}/" for i in range(n)]


def test_a_flood_of_wrong_tokens_is_refused_with_429_after_the_budget(settings, prospect_client):
    settings.WIZARD_TOKEN_MISSES_PER_WINDOW = 20
    statuses = [prospect_client.get(path).status_code for path in guesses(30)]
    assert statuses[:20] == [404] * 20
    assert statuses[20:] == [429] * 10


def test_once_refused_even_a_real_link_waits_for_the_window_to_pass(settings, workspace):
    settings.WIZARD_TOKEN_MISSES_PER_WINDOW = 5
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace))
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for path in guesses(5):
        guesser.get(path)
    refused = guesser.get(f"/w/{link.token}/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.WIZARD_TOKEN_MISS_WINDOW_SECONDS
    assert b"Too many attempts" in refused.content
    assert WizardSession.objects.get(link=link).step_views == 0


def test_a_prospect_clicking_through_their_wizard_is_never_limited(
    settings, prospect_client, workspace
):
    settings.WIZARD_TOKEN_MISSES_PER_WINDOW = 3
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace))
    pages = [f"/w/{link.token}/{step}/" for step in (1, 2, 3, 4, 3, 2)] * 4
    pages += [f"/w/{link.token}/report.pdf"] * 3
    assert {prospect_client.get(page).status_code for page in pages} == {200}


def test_one_address_guessing_does_not_block_another(settings, workspace):
    settings.WIZARD_TOKEN_MISSES_PER_WINDOW = 3
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace))
    for path in guesses(10):
        Client(REMOTE_ADDR="203.0.113.10").get(path)
    assert Client(REMOTE_ADDR="203.0.113.11").get(f"/w/{link.token}/").status_code == 200


def test_a_client_cannot_dodge_the_limit_with_its_own_forwarded_for_header(settings, db):
    settings.WIZARD_TOKEN_MISSES_PER_WINDOW = 3
    settings.TRUSTED_PROXY_COUNT = 0
    guesser = Client(REMOTE_ADDR="203.0.113.12")
    statuses = [
        guesser.get(path, headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
        for i, path in enumerate(guesses(5))
    ]
    assert statuses[-1] == 429


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_one_counted(settings, workspace):
    settings.WIZARD_TOKEN_MISSES_PER_WINDOW = 3
    settings.TRUSTED_PROXY_COUNT = 1
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace))
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for path in guesses(5):
        proxy.get(path, headers={"X-Forwarded-For": "spoofed, 198.51.100.20"})
    blocked = proxy.get(f"/w/{link.token}/", headers={"X-Forwarded-For": "198.51.100.20"})
    other = proxy.get(f"/w/{link.token}/", headers={"X-Forwarded-For": "198.51.100.21"})
    assert (blocked.status_code, other.status_code) == (429, 200)


def test_addresses_in_one_ipv6_network_share_a_budget(settings, db):
    settings.WIZARD_TOKEN_MISSES_PER_WINDOW = 3
    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:77:1::{i + 1:x}").get(path).status_code
        for i, path in enumerate(guesses(5))
    ]
    assert statuses[-1] == 429
