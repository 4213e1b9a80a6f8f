"""Website research: what is read from a page, and how a bad website fails."""

import httpx
import pytest

from demo.campaign import SNAPSHOTS
from media_pipeline.providers.base import ProviderError
from media_pipeline.providers.research import extract_research, research_website

PAGE = """<!doctype html><html><head>
<title>Acme | Invoices that pay themselves</title>
<meta name="description" content="Acme sends invoices and chases late payers for you.">
<meta name="theme-color" content="#0ea5e9">
<link rel="icon" href="/favicon.ico">
<style>.btn { background: #f97316; color: #ffffff; } .muted { color: #6b7280; }
.x { color: #f97316 }</style>
</head><body>
<img src="/img/acme-logo.svg" alt="Acme logo">
<script>var secret = "do not read scripts";</script>
<h1>Get paid on time</h1>
<p>Acme follows up on every overdue invoice with a polite reminder, so your team never has to.</p>
<p>Short.</p>
<h2>Works with your accounting software</h2>
</body></html>"""


def html(handler_body: bytes = PAGE.encode(), **headers) -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=handler_body, headers={"content-type": "text/html", **headers}
        )
    )


def test_it_reads_what_the_page_says_about_the_company():
    research = research_website("acme.example", transport=html())

    assert research["url"] == "https://acme.example"
    assert research["title"] == "Acme | Invoices that pay themselves"
    assert research["description"] == "Acme sends invoices and chases late payers for you."
    assert research["headings"] == ["Get paid on time", "Works with your accounting software"]
    assert research["key_text"] == [
        "Acme follows up on every overdue invoice with a polite reminder, so your team never "
        "has to."
    ]
    # The theme colour first, then the page's most used brand-like colour; greys and white
    # are layout, not brand.
    assert research["colors"] == ["#0ea5e9", "#f97316"]
    assert research["logo_url"] == "https://acme.example/img/acme-logo.svg"
    assert "secret" not in str(research)


def test_the_demo_snapshots_give_each_prospect_research_to_work_with():
    for path in SNAPSHOTS.glob("*.html"):
        research = extract_research(path.read_text(), f"https://{path.stem}/")
        assert research["title"] and research["description"], path.name
        assert len(research["headings"]) >= 2, path.name
        assert research["colors"], path.name


def test_a_timeout_is_worth_another_attempt(settings):
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(ProviderError, match="did not answer within 10 seconds") as error:
        research_website("https://slow.example", transport=httpx.MockTransport(slow))
    assert error.value.transient


@pytest.mark.parametrize(
    ("status", "transient"), [(404, False), (410, False), (429, True), (503, True)]
)
def test_an_error_page_fails_with_its_status(status, transient):
    transport = httpx.MockTransport(lambda request: httpx.Response(status, text="nope"))
    with pytest.raises(ProviderError, match=f"answered {status}") as error:
        research_website("https://gone.example/about", transport=transport)
    assert error.value.transient is transient


def test_a_file_that_is_not_a_web_page_is_refused():
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"}
        )
    )
    with pytest.raises(ProviderError, match=r"not a web page \(it sent application/pdf\)") as e:
        research_website("https://docs.example/brochure", transport=transport)
    assert not e.value.transient


def test_a_huge_page_is_refused_without_reading_all_of_it():
    sent = []

    def endless():
        for _ in range(1000):
            sent.append(1)
            yield b"<p>" + b"x" * 10_000 + b"</p>"

    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=endless(), headers={"content-type": "text/html"}
        )
    )
    with pytest.raises(ProviderError, match="larger than 50 KB"):
        research_website("https://huge.example", transport=transport, max_bytes=50_000)
    assert len(sent) < 10


def test_a_page_that_announces_a_huge_size_is_refused_before_reading():
    transport = html(**{"content-length": "999999999"})
    with pytest.raises(ProviderError, match="larger than 2 MB"):
        research_website("https://huge.example", transport=transport)


def test_a_private_address_is_refused_for_good(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ProviderError, match="private or local address") as error:
        research_website("http://127.0.0.1:8000/", transport=html())
    assert not error.value.transient


def test_a_redirect_into_the_private_network_is_refused(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False

    def handler(request):
        if request.url.host == "93.184.215.14":
            return httpx.Response(302, headers={"location": "http://169.254.169.254/latest/"})
        return httpx.Response(
            200, text="<title>metadata</title>", headers={"content-type": "text/html"}
        )

    with pytest.raises(ProviderError, match=r"169\.254\.169\.254"):
        research_website("http://93.184.215.14/", transport=httpx.MockTransport(handler))
