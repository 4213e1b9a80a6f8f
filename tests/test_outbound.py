"""The outbound address guard that research and webhooks go through."""

import httpx
import pytest

from config.outbound import OutboundAddressRefused, guard_url, outbound_client


@pytest.fixture
def guarded(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/admin/",
        "http://10.0.0.8/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_and_local_addresses_are_refused(guarded, url):
    with pytest.raises(OutboundAddressRefused, match="private or local"):
        guard_url(url)


@pytest.mark.parametrize("url", ["ftp://93.184.215.14/", "file:///etc/passwd", "http:///nohost"])
def test_only_http_urls_with_a_host_are_fetched(guarded, url):
    with pytest.raises(OutboundAddressRefused):
        guard_url(url)


def test_a_public_address_is_allowed(guarded):
    guard_url("https://93.184.215.14/pricing")


def test_a_redirect_into_the_private_network_is_refused(guarded):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "93.184.215.14":
            return httpx.Response(302, headers={"Location": "http://127.0.0.1:6379/"})
        return httpx.Response(200, text="internal secrets")

    with (
        outbound_client(transport=httpx.MockTransport(handler)) as client,
        pytest.raises(OutboundAddressRefused, match=r"127\.0\.0\.1"),
    ):
        client.get("http://93.184.215.14/")


def test_the_setting_lets_tests_and_intranets_reach_private_addresses(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    guard_url("http://127.0.0.1:8000/")
