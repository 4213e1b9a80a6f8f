"""Website research: fetch a prospect's homepage through the outbound guard and read what it
says about the company (title, description, headings, key text, colours and logo)."""

import colorsys
import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils import timezone

from config.outbound import OutboundAddressRefused, outbound_client
from media_pipeline.providers.base import ProviderError, is_transient_status, read_capped
from outreach.crm.services.prospects import normalize_website

HTML_TYPES = {"text/html", "application/xhtml+xml"}
USER_AGENT = "Mozilla/5.0 (compatible; SalesCRM-Research/1.0; +https://example.com/bot)"
MAX_HEADINGS = 8
MAX_PARAGRAPHS = 6
MIN_PARAGRAPH_CHARS = 40
MAX_COLORS = 4

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


def extract_research(html: str, url: str) -> dict[str, Any]:
    """What the page says about the company, as the JSON the script step reads."""
    page = _PageReader()
    page.feed(html)
    page.close()
    metas = page.metas
    headings = _unique(text for _, text in page.headings)[:MAX_HEADINGS]
    paragraphs = _unique(p for p in page.paragraphs if len(p) >= MIN_PARAGRAPH_CHARS)
    return {
        "url": url,
        "title": _clip(page.title or metas.get("og:title", ""), 200),
        "site_name": _clip(metas.get("og:site_name") or metas.get("application-name", ""), 100),
        "description": _clip(metas.get("description") or metas.get("og:description") or "", 400),
        "headings": [_clip(h, 140) for h in headings],
        "key_text": [_clip(p, 320) for p in paragraphs[:MAX_PARAGRAPHS]],
        "colors": _brand_colors(metas.get("theme-color", ""), page.css),
        "logo_url": _logo_url(page, metas, url),
        "fetched_at": timezone.now().isoformat(),
    }


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
