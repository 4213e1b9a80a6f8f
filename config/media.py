"""Media files (campaign videos, narration, images) served by the app itself, in production too.

Their names hold an unguessable key per campaign prospect, so a link grants its file and nothing
else. Browsers play video in byte ranges (and seek with them), so single `Range` requests get
206 Partial Content; conditional requests get 304. A proxy or CDN in front may cache them.
"""

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils._os import safe_join
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

# Subtitles of campaign videos: players ignore a <track> served as anything else, and not every
# system's MIME table knows the extension.
mimetypes.add_type("text/vtt", ".vtt")

CHUNK = 64 * 1024
CACHE_SECONDS = 3600
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, path))
    except SuspiciousFileOperation:
        raise Http404("No such file.") from None
    try:
        stat = full.stat()
    except OSError:
        raise Http404("No such file.") from None
    if not full.is_file():
        raise Http404("No such file.")

    etag = quote_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}")
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(stat.st_mtime),
        "Accept-Ranges": "bytes",
        "Cache-Control": f"max-age={CACHE_SECONDS}",
    }
    # 304 for a copy the browser has (412 for a failed If-Match), as HTTP orders them.
    conditional = get_conditional_response(request, etag=etag, last_modified=int(stat.st_mtime))
    if conditional is not None:
        return _with(conditional, headers)

    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    wanted = _byte_range(request, etag, stat.st_size)
    response: HttpResponseBase
    if wanted is None:
        if request.method == "HEAD":
            response = HttpResponse(content_type=content_type)
            response["Content-Length"] = str(stat.st_size)
        else:
            response = FileResponse(full.open("rb"), content_type=content_type)
        return _with(response, headers)
    if wanted == "unsatisfiable":
        response = HttpResponse(
            f"The range asked for is not in this file of {stat.st_size} bytes.",
            status=416,
            content_type="text/plain; charset=utf-8",
        )
        response["Content-Range"] = f"bytes */{stat.st_size}"
        return _with(response, headers)
    start, end = wanted
    body = _read(full, start, end - start + 1) if request.method == "GET" else iter(())
    response = StreamingHttpResponse(body, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{stat.st_size}"
    response["Content-Length"] = str(end - start + 1)
    return _with(response, headers)


def _byte_range(
    request: HttpRequest, etag: str, size: int
) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """(first, last) byte of a single range the request asks for; "unsatisfiable"; or None for
    the whole file (no Range, one we do not serve in parts, or an If-Range that no longer
    holds). Malformed ranges are ignored, as HTTP says."""
    header = request.headers.get("Range")
    if not header:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != etag:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # several ranges, or another unit: the whole file answers them all
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0:
            return "unsatisfiable"
        return max(size - suffix, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, end


def _read(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as file:
        file.seek(start)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def _with(response: HttpResponseBase, headers: dict[str, str]) -> HttpResponseBase:
    for name, value in headers.items():
        response[name] = value
    return response
