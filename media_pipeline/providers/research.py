"""Website research: fetch a prospect's homepage through the outbound guard and read what it
says about the company (title, description, headings, key text, colours and logo)."""

import colorsys
import logging
import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import extruct
import httpx
import trafilatura
from django.conf import settings
from django.utils import timezone
from lxml import etree
from lxml import html as lxml_html

from config.outbound import OutboundAddressRefused, outbound_client
from media_pipeline.providers.base import ProviderError, is_transient_status, read_capped
from outreach.crm.services.prospects import normalize_website

HTML_TYPES = {"text/html", "application/xhtml+xml"}
USER_AGENT = "Mozilla/5.0 (compatible; SalesCRM-Research/1.0; +https://example.com/bot)"
MAX_HEADINGS = 8
MAX_PARAGRAPHS = 6
MIN_PARAGRAPH_CHARS = 40
MAX_COLORS = 4
MAX_HEADLINES = 4
MAX_OWN_WORDS = 3
ORGANIZATION_TYPES = {"Organization", "Corporation", "LocalBusiness", "OnlineBusiness"}
PRODUCT_TYPES = {"SoftwareApplication", "WebApplication", "Product", "Service", "WebSite"}
ARTICLE_TYPES = {"NewsArticle", "BlogPosting", "Article", "PressRelease"}
NEWS_OR_BLOG = re.compile(r"\b(news|blog|press|announcements)\b", re.I)
NEWS_SECTION = re.compile(r"\b(news|blog|latest|press|stories|updates|announcements)\b", re.I)
# "Over 100,000 businesses", "37,000 companies", "15 million customers", "for finance teams".
AUDIENCE = re.compile(
    r"\b\d[\d,.]*\s*(?:million|thousand|k)?\s*\+?\s*(?:customers|businesses|companies|teams|"
    r"people|merchants|developers|users|organi[sz]ations|brands)\b"
    r"|\b(?:hundreds|thousands|millions) of (?:\w+ ){0,2}?(?:apps|customers|businesses|"
    r"companies|teams|developers|merchants)\b"
    r"|\bfor (?:\w+ ){0,3}(?:teams|businesses|companies|startups|enterprises)\b",
    re.I,
)

# "... so finance teams can ...", "helps sales teams ...": the customers a description names.
AUDIENCE_IN_PASSING = re.compile(
    r"\b(?:for|so|helps?|helping|lets|gives)\s+((?:[a-z-]+\s){0,2}?"
    r"(?:teams|businesses|companies|startups|enterprises|developers|merchants))\b",
    re.I,
)

logger = logging.getLogger(__name__)

HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
CHARSET_META = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def research_website(
    url: str, *, transport: httpx.BaseTransport | None = None, max_bytes: int | None = None
) -> dict[str, Any]:
    """Fetch the page at `url` and extract what a script can say about the company.

    Raises ProviderError: transient for timeouts, 429 and 5xx; permanent for everything a retry
    would not change (404, not HTML, too big, a private address).
    """
    url = normalize_website(url)
    max_bytes = max_bytes or settings.RESEARCH_MAX_BYTES
    seconds = settings.RESEARCH_TIMEOUT_SECONDS
    timeout = httpx.Timeout(seconds, connect=min(5.0, seconds))
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"}
    try:
        with (
            outbound_client(timeout=timeout, transport=transport, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            _check_response(url, response, max_bytes)
            body = read_capped(response, max_bytes, f"{url} is larger than {_size(max_bytes)}.")
            final_url = str(response.url)
            encoding = response.charset_encoding
    except OutboundAddressRefused as exc:
        raise ProviderError(f"{url} cannot be fetched: {exc.message}") from exc
    except httpx.TimeoutException as exc:
        raise ProviderError(
            f"{url} did not answer within {seconds} seconds.", transient=True
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise ProviderError(f"{url} redirects too many times.") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise ProviderError(f"{url} is not a web address that can be fetched.") from exc
    except httpx.TransportError as exc:
        raise ProviderError(f"{url} could not be reached ({exc}).", transient=True) from exc
    html = body.decode(encoding or _sniff_charset(body) or "utf-8", errors="replace")
    return extract_research(html, final_url)


def _check_response(url: str, response: httpx.Response, max_bytes: int) -> None:
    if response.status_code >= 400:
        reason = f"{response.status_code} {response.reason_phrase}".strip()
        if is_transient_status(response.status_code):
            raise ProviderError(f"{url} answered {reason}.", transient=True)
        raise ProviderError(f"{url} answered {reason}.")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES:
        raise ProviderError(
            f"{url} is not a web page (it sent {content_type or 'no content type'})."
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ProviderError(f"{url} is larger than {_size(max_bytes)}.")


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} KB"


def _sniff_charset(body: bytes) -> str | None:
    match = CHARSET_META.search(body[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        "".encode(name)
    except LookupError:
        return None
    return name


# --- Extraction ------------------------------------------------------------------------------


def extract_research(html: str, url: str, *, extractors: bool = True) -> dict[str, Any]:
    """What the page says about the company, as the JSON the script step and the wizard read.

    The page's main text comes from trafilatura (which drops navigation, cookie banners and
    footers) and its structured data (JSON-LD, OpenGraph, microdata) from extruct; our own
    parser reads what they do not: the title, headings, brand colours and logo. With
    `extractors=False` our parser reads everything, as it did before: the baseline that
    bench/research_extractors.py compares against.
    """
    page = _PageReader()
    page.feed(html)
    page.close()
    metas = page.metas
    headings = _unique(text for _, text in page.headings)[:MAX_HEADINGS]
    if extractors:
        main = _main_text(html, url)
        structured = _structured_data(html, url)
        paragraphs = _unique(p for p in main if len(p) >= MIN_PARAGRAPH_CHARS)
        organization = _organization(structured)
        headlines = _unique([*_article_headlines(structured), *_news_headlines(html)])
    else:
        paragraphs = _unique(p for p in page.paragraphs if len(p) >= MIN_PARAGRAPH_CHARS)
        organization, headlines = {}, []
    description = metas.get("description") or metas.get("og:description") or ""
    what_they_do = _text(organization.get("description")) or description
    audience = _audience(organization, paragraphs, what_they_do)
    titles = {t.casefold() for t in [*headings, *headlines]}
    # Their own words are sentences of theirs, not the titles above them or a banner's link.
    own_words = [
        p
        for p in paragraphs
        if p not in (audience, what_they_do)
        and p.casefold() not in titles
        and p.rstrip().endswith((".", "!", "?", '"', "\u201d"))
    ]
    return {
        "url": url,
        "title": _clip(page.title or metas.get("og:title", ""), 200),
        "site_name": _clip(
            metas.get("og:site_name")
            or _text(organization.get("name"))
            or metas.get("application-name", ""),
            100,
        ),
        "description": _clip(description, 400),
        "headings": [_clip(h, 140) for h in headings],
        "key_text": [_clip(p, 320) for p in paragraphs[:MAX_PARAGRAPHS]],
        "what_they_do": _clip(what_they_do, 400),
        "who_they_serve": _clip(audience, 300),
        "headlines": [_clip(h, 140) for h in (headlines or headings[1:])[:MAX_HEADLINES]],
        "own_words": [_clip(p, 320) for p in own_words[:MAX_OWN_WORDS]],
        "colors": _brand_colors(metas.get("theme-color", ""), page.css),
        "logo_url": _logo_url(page, metas, url),
        "extractors": "trafilatura+extruct" if extractors else "parser",
        "fetched_at": timezone.now().isoformat(),
    }


def _main_text(html: str, url: str) -> list[str]:
    """The page's own words, without its navigation, banners and footer: one line per block."""
    document = trafilatura.bare_extraction(
        html,
        url=url,
        favor_recall=True,
        include_comments=False,
        include_tables=False,
        with_metadata=False,
    )
    text = getattr(document, "text", "") if document is not None else ""
    return [" ".join(line.split()).lstrip("-• ").strip() for line in (text or "").splitlines()]


def _structured_data(html: str, url: str) -> list[dict[str, Any]]:
    """JSON-LD, microdata and OpenGraph items, flattened ("@graph" unrolled)."""
    try:
        found = extruct.extract(
            html, base_url=url, syntaxes=["json-ld", "microdata", "opengraph"], uniform=True
        )
    except (ValueError, TypeError, LookupError) as exc:
        # A page's broken markup is the page's problem: research goes on without it.
        logger.info("Structured data of %s unreadable: %s", url, exc)
        return []
    items: list[dict[str, Any]] = []
    for syntax_items in found.values():
        for item in syntax_items:
            if isinstance(item, dict):
                items.extend(i for i in item.get("@graph", [item]) if isinstance(i, dict))
    return items


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type", [])
    return {kind} if isinstance(kind, str) else {k for k in kind if isinstance(k, str)}


def _organization(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The item that describes the company itself, best first."""
    for wanted in (ORGANIZATION_TYPES, PRODUCT_TYPES):
        for item in items:
            if _types(item) & wanted and _text(item.get("description")):
                return item
    return {}


def _audience(organization: dict[str, Any], paragraphs: list[str], what_they_do: str) -> str:
    """Who they serve: what their structured data says, else their first sentence that counts
    or names their customers, else the customers their description names ("Finance teams")."""
    audience = organization.get("audience")
    if isinstance(audience, dict) and _text(audience.get("audienceType")):
        return _text(audience["audienceType"])
    for paragraph in paragraphs:
        for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
            if AUDIENCE.search(sentence):
                return sentence
    named = AUDIENCE_IN_PASSING.search(what_they_do)
    return named.group(1).capitalize() if named else ""


def _article_headlines(items: list[dict[str, Any]]) -> list[str]:
    return [
        _text(item.get("headline") or item.get("name"))
        for item in items
        if _types(item) & ARTICLE_TYPES and _text(item.get("headline") or item.get("name"))
    ]


def _news_headlines(html: str) -> list[str]:
    """Titles in the page's news, blog or stories section: what the company is talking about."""
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, etree.ParserError):
        return []
    headlines: list[str] = []
    for section in tree.iter("section", "aside", "div"):
        heading = next(iter(section.iter("h2")), None)
        if heading is None or not NEWS_SECTION.search(heading.text_content()):
            continue
        for element in section.iter("h3", "h4", "li"):
            text = " ".join(element.text_content().split())
            if 12 <= len(text) <= 160 and not NEWS_SECTION.fullmatch(text):
                headlines.append(text)
    # News and blog posts first: they say what the company is talking about now.
    return sorted(headlines, key=lambda text: 0 if text in _news_or_blog(tree) else 1)


def _news_or_blog(tree: Any) -> set[str]:
    titles = set()
    for section in tree.iter("section", "aside", "div"):
        heading = next(iter(section.iter("h2")), None)
        if heading is not None and NEWS_OR_BLOG.search(heading.text_content()):
            titles |= {" ".join(e.text_content().split()) for e in section.iter("h3", "h4", "li")}
    return titles


def _text(value: Any) -> str:
    return " ".join(unescape(value).split()) if isinstance(value, str) else ""


class _PageReader(HTMLParser):
    SKIP = {"script", "noscript", "svg", "template", "iframe"}
    BLOCKS = {"p", "li", "blockquote", "dd"}
    HEADINGS = {"h1": 1, "h2": 2, "h3": 3}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.metas: dict[str, str] = {}
        self.icons: list[tuple[str, str]] = []
        self.images: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.paragraphs: list[str] = []
        self.css: list[str] = []
        self._skip_depth = 0
        self._capture: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key.lower(): (value or "") for key, value in attrs}
        if attr.get("style"):
            self.css.append(attr["style"])
        if tag in self.SKIP:
            self._skip_depth += 1
            return
        if tag == "style":
            self._start("style")
        elif tag == "title":
            self._start("title")
        elif tag in self.HEADINGS or tag in self.BLOCKS:
            self._start(tag)
        elif tag == "br" and self._capture:
            self._buffer.append(" ")
        elif tag == "meta":
            key = (attr.get("name") or attr.get("property") or "").lower()
            if key and attr.get("content") and key not in self.metas:
                self.metas[key] = " ".join(attr["content"].split())
        elif tag == "link" and attr.get("href"):
            self.icons.append((attr.get("rel", "").lower(), attr["href"]))
        elif tag == "img" and attr.get("src"):
            marks = " ".join(attr.get(k, "") for k in ("src", "alt", "class", "id")).lower()
            if "logo" in marks:
                self.images.append(attr["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag != self._capture:
            return
        text = " ".join(unescape("".join(self._buffer)).split())
        if tag == "style":
            self.css.append("".join(self._buffer))
        elif tag == "title":
            self.title = text
        elif tag in self.HEADINGS and text:
            self.headings.append((self.HEADINGS[tag], text))
        elif text:
            self.paragraphs.append(text)
        self._capture = None
        self._buffer = []

    def handle_data(self, data: str) -> None:
        if self._capture and not self._skip_depth:
            self._buffer.append(data)

    def _start(self, tag: str) -> None:
        # Nested blocks (a <p> in an <li>) are read as part of the outer one.
        if self._capture is None:
            self._capture = tag
            self._buffer = []


def _brand_colors(theme_color: str, css: list[str]) -> list[str]:
    counts: Counter[str] = Counter()
    for block in css:
        for match in HEX_COLOR.findall(block):
            counts[_six_digit(match)] += 1
    ranked = [color for color, _ in counts.most_common() if _is_brand_like(color)]
    theme = _six_digit(theme_color) if HEX_COLOR.fullmatch(theme_color.strip()) else ""
    if theme and _is_brand_like(theme):
        ranked = [theme, *(c for c in ranked if c != theme)]
    return ranked[:MAX_COLORS]


def _six_digit(color: str) -> str:
    color = color.strip().lower().lstrip("#")
    if len(color) == 3:
        color = "".join(ch * 2 for ch in color)
    return f"#{color}"


def _is_brand_like(color: str) -> bool:
    """Saturated enough to be a brand colour, not a grey, white or black of the layout."""
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    _, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    return saturation >= 0.25 and 0.12 <= lightness <= 0.88


def _logo_url(page: _PageReader, metas: dict[str, str], base: str) -> str:
    candidates = [
        *page.images,
        *(href for rel, href in page.icons if "apple-touch-icon" in rel),
        metas.get("og:image", ""),
        *(href for rel, href in page.icons if "icon" in rel.split()),
    ]
    for candidate in candidates:
        absolute = urljoin(base, candidate.strip()) if candidate else ""
        if urlsplit(absolute).scheme in {"http", "https"}:
            return absolute[:500]
    return ""


def _unique(items) -> list[str]:
    seen, result = set(), []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"


class WebsiteResearcher:
    name = "website"
    max_parallel = 1

    def research(self, url: str) -> dict[str, Any]:
        return research_website(url)
