"""Research and webhooks connect to the address the guard checked: a DNS answer that changes
between the check and the connection (rebinding) cannot reach our own network."""

import socket

import pytest

from config.outbound import OutboundAddressRefused, outbound_client
from media_pipeline.providers.base import ProviderError
from media_pipeline.providers.research import research_website
from tests.local_server import Handler, local_server

PUBLIC = "93.184.215.14"
REBINDING_HOST = "rebind.example.com"

PAGE = b"<html><head><title>Internal admin</title></head><body><h1>Secrets</h1></body></html>"


class Internal(Handler):
    """A service on loopback that must never be reached from outside: it counts every visit."""

    def do_GET(self) -> None:
        self.server.visits.append(self.headers["Host"])
        self.send(200, PAGE, "text/html")

    do_POST = do_GET


@pytest.fixture
def internal_service():
    with local_server(Internal, visits=[]) as server:
        yield server


@pytest.fixture
def resolver(monkeypatch):
    """A DNS resolver for REBINDING_HOST that answers from a list, one answer per lookup (the
    last answer repeats); other names resolve as usual."""
    answers: list[list[str]] = []
    lookups: list[list[str]] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != REBINDING_HOST:
            return real_getaddrinfo(host, port, *args, **kwargs)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        lookups.append(answer)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 80))
            for address in answer
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def answer_with(*sequence: list[str]) -> list[list[str]]:
        answers.extend(sequence)
        return lookups

    return answer_with


@pytest.fixture
def guarded(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False


def url_of(server, path="/") -> str:
    return f"http://{REBINDING_HOST}:{server.server_address[1]}{path}"


def test_research_cannot_be_rebound_to_loopback(guarded, resolver, internal_service):
    lookups = resolver([PUBLIC], ["127.0.0.1"])
    with pytest.raises(ProviderError, match=r"private or local address \(127\.0\.0\.1\)") as error:
        research_website(url_of(internal_service))
    assert not error.value.transient
    assert internal_service.visits == []
    # The name was looked up once to check the URL and once to connect: the connection used
    # the second answer only after checking it.
    assert lookups == [[PUBLIC], ["127.0.0.1"]]


def test_one_internal_address_among_public_ones_refuses_the_name(
    guarded, resolver, internal_service
):
    resolver([PUBLIC, "127.0.0.1"])
    with outbound_client() as client, pytest.raises(OutboundAddressRefused, match=r"127\.0\.0\.1"):
        client.get(url_of(internal_service))
    assert internal_service.visits == []


def test_the_connection_goes_to_the_checked_address_under_the_sites_own_name(
    settings, resolver, internal_service
):
    # Intranets may allow private addresses; the request still carries the site's name.
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    resolver(["127.0.0.1"])
    with outbound_client() as client:
        response = client.get(url_of(internal_service))
    assert response.status_code == 200
    assert internal_service.visits == [f"{REBINDING_HOST}:{internal_service.server_address[1]}"]
