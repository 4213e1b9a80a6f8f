"""CSV exports of the prospect and contact lists, written row by row as the response streams:
a list of any length costs one chunk of rows in memory, and the columns read back by the CSV
import as they are."""

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from outreach.models import Contact, Prospect

CHUNK = 2000
_NUMBER = re.compile(r"[+-][\d\s().-]*")

PROSPECT_COLUMNS = [
    ("id", "Id"),
    ("name", "Company"),
    ("domain", "Domain"),
    ("website", "Website"),
    ("status", "Status"),
    ("owner__email", "Owner email"),
    ("tags", "Tags"),
    ("created_at", "Created at"),
]
CONTACT_COLUMNS = [
    ("id", "Id"),
    ("prospect__name", "Company"),
    ("prospect__domain", "Domain"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("title", "Title"),
    ("time_zone", "Time zone"),
    ("outreach_status", "Outreach status"),
    ("tags", "Tags"),
    ("created_at", "Created at"),
]


def csv_download(lines: Iterator[str], name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


class _Line:
    """A file-like object whose write() hands back what was written, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def prospect_csv(prospects: QuerySet[Prospect]) -> Iterator[str]:
    return _csv(prospects, PROSPECT_COLUMNS, Prospect)


def contact_csv(contacts: QuerySet[Contact]) -> Iterator[str]:
    return _csv(contacts, CONTACT_COLUMNS, Contact)


def _csv(rows: QuerySet, columns: list[tuple[str, str]], model) -> Iterator[str]:
    writer = csv.writer(_Line())
    # A BOM, so that spreadsheet programs read the file as UTF-8.
    yield "\ufeff" + writer.writerow([label for _, label in columns])
    fields = [name for name, _ in columns if name != "tags"]
    values = rows.values(*fields).iterator(chunk_size=CHUNK)
    for chunk in _chunks(values, CHUNK):
        tags = _tag_names(model, [row["id"] for row in chunk])
        for row in chunk:
            row["tags"] = ", ".join(tags.get(row["id"], []))
            row["created_at"] = row["created_at"].isoformat()
            yield writer.writerow([_cell(row[name]) for name, _ in columns])


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell starting like a formula would run as one in a spreadsheet (a phone number such as
    # +1 (555) 010-0000 is left as it is).
    if text[:1] in ("=", "@") or (text[:1] in ("+", "-") and not _NUMBER.fullmatch(text)):
        return "'" + text
    return text


def _tag_names(model, ids: list[int]) -> dict[int, list[str]]:
    through = model.tags.through
    column = f"{model._meta.model_name}_id"
    names: dict[int, list[str]] = defaultdict(list)
    pairs = (
        through.objects.filter(**{f"{column}__in": ids})
        .values_list(column, "tag__name")
        .order_by("tag__name")
    )
    for pk, name in pairs:
        names[pk].append(name)
    return names


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
