"""Reading the CSV files real tools export: the encoding (UTF-8 with or without a BOM, else
Windows-1252), the delimiter (`,` `;` tab or `|`), quoted newlines, blank lines, and which
column is which field of the CRM.

A file is read as a stream, one record at a time, so a file of any size costs the same memory."""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

# What a column can become: the prospect's fields, then its contact's.
PROSPECT_FIELDS = {
    "name": "Company name",
    "domain": "Domain",
    "website": "Website",
    "status": "Status",
    "owner_email": "Owner email",
    "tags": "Tags",
}
CONTACT_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "title": "Job title",
    "time_zone": "Time zone",
}
FIELDS = {**PROSPECT_FIELDS, **CONTACT_FIELDS}
# A column kept as a custom field of the prospect is mapped to "custom:<key>".
CUSTOM_PREFIX = "custom:"

# Header names real exports use for each field, compared without case, spaces or punctuation.
SYNONYMS = {
    "name": ["name", "company", "companyname", "account", "accountname", "organization", "org"],
    "domain": ["domain", "companydomain", "emaildomain"],
    "website": ["website", "url", "web", "site", "companywebsite", "homepage"],
    "status": ["status", "leadstatus", "stage"],
    "owner_email": ["owner", "owneremail", "rep", "repemail", "accountowner", "salesrep"],
    "tags": ["tags", "tag", "labels", "lists"],
    "first_name": ["firstname", "first", "givenname", "contactfirstname", "fname"],
    "last_name": ["lastname", "last", "surname", "familyname", "contactlastname", "lname"],
    "email": ["email", "emailaddress", "mail", "contactemail", "workemail", "e-mail"],
    "phone": ["phone", "phonenumber", "mobile", "tel", "telephone", "directphone", "workphone"],
    "title": ["title", "jobtitle", "position", "role"],
    "time_zone": ["timezone", "tz", "zone"],
}
_BY_SYNONYM = {word: field for field, words in SYNONYMS.items() for word in words}
DELIMITERS = ",;\t|"
SAMPLE_BYTES = 64 * 1024
PREVIEW_ROWS = 5


class UnreadableFile(ValueError):
    """A file that is not a CSV the import can read, with the reason for the person."""


@dataclass(frozen=True)
class FileShape:
    encoding: str
    delimiter: str
    headers: list[str]
    preview: list[list[str]]
    total_rows: int


@dataclass(frozen=True)
class Record:
    line: int
    values: list[str]


def detect_mapping(headers: list[str]) -> list[str]:
    """The field each header most likely is; an unknown header is left out (""), and a field
    is given to its first column only."""
    mapping, taken = [], set()
    for header in headers:
        key = re.sub(r"[^a-z0-9]", "", header.lower())
        field = _BY_SYNONYM.get(key, "")
        if field in taken:
            field = ""
        taken.add(field)
        mapping.append(field)
    return mapping


def custom_key(header: str) -> str:
    """The custom field key a header is kept under: 'Annual revenue' -> 'annual_revenue'."""
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")[:60] or "column"


def inspect(stream: IO[bytes]) -> FileShape:
    """Read the whole file once: its encoding, delimiter, headers, first rows and row count."""
    encoding = _detect_encoding(stream)
    stream.seek(0)
    sample = _text(stream, encoding).read(SAMPLE_BYTES)
    if not sample.strip():
        raise UnreadableFile("The file is empty.")
    if "\x00" in sample:
        raise UnreadableFile("This is not a CSV file (it holds binary data).")
    delimiter = _detect_delimiter(sample)
    stream.seek(0)
    records = read_records(stream, encoding=encoding, delimiter=delimiter)
    first = next(records, None)
    if first is None:
        raise UnreadableFile("The file has no header row.")
    headers = [h.strip() for h in first.values]
    if not any(headers):
        raise UnreadableFile("The header row is empty.")
    preview, total = [], 0
    for record in records:
        total += 1
        if len(preview) < PREVIEW_ROWS:
            preview.append(record.values)
    return FileShape(encoding, delimiter, headers, preview, total)


def read_records(stream: IO[bytes], *, encoding: str, delimiter: str) -> Iterator[Record]:
    """Every non-blank record with the line it starts on (a quoted newline spans lines)."""
    reader = csv.reader(_text(stream, encoding), delimiter=delimiter, strict=False)
    line = 1
    try:
        for values in reader:
            start, line = line, reader.line_num + 1
            if not values or not any(v.strip() for v in values):
                continue
            yield Record(start, values)
    except csv.Error as exc:
        raise UnreadableFile(f"Line {line}: {exc}.") from exc


def _text(stream: IO[bytes], encoding: str) -> io.TextIOWrapper:
    wrapper = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="replace")
    # The caller owns the stream: dropping the wrapper must not close it.
    wrapper.close = lambda: None  # type: ignore[method-assign]
    return wrapper


def _detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with its BOM dropped) when every byte decodes as UTF-8, else Windows-1252, the
    encoding of spreadsheet exports on Windows."""
    head = stream.read(3)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = head
    try:
        while chunk:
            decoder.decode(chunk)
            chunk = stream.read(SAMPLE_BYTES)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _detect_delimiter(sample: str) -> str:
    """The delimiter the header row uses most, outside quotes (the header is never quoted
    across lines)."""
    header = next(iter(sample.splitlines()), "")
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
