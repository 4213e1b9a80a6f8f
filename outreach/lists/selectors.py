"""Reads of list work: global search over the workspace's records, and the import and bulk
jobs a member looks at."""

import operator
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce
from typing import TypeVar, cast

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Case, IntegerField, Model, Q, QuerySet, Value, When

from outreach.models import BulkAction, Contact, Deal, ImportJob, Prospect, Reply, Workspace

# Each kind shows this many hits; search is for finding one record, not for listing.
HITS_PER_KIND = 6
MIN_QUERY = 2

RecordT = TypeVar("RecordT", bound=Model)


@dataclass(frozen=True)
class SearchResults:
    query: str
    prospects: list[Prospect]
    contacts: list[Contact]
    deals: list[Deal]
    replies: list[Reply]

    @property
    def empty(self) -> bool:
        return not (self.prospects or self.contacts or self.deals or self.replies)


def _every_word(words: list[str], lookups: tuple[str, ...]) -> Q:
    """Each word matches one of the `lookups` ("last_name__istartswith", "email__icontains"):
    "pat smi" finds Pat Smith. On PostgreSQL each lookup is served by an index, trigram or
    B-tree (migration 0020)."""
    return reduce(
        operator.and_,
        (reduce(operator.or_, (Q(**{lookup: word}) for lookup in lookups)) for word in words),
    )


def _best_first(
    records: QuerySet[RecordT],
    *,
    words: list[str],
    first: tuple[str, ...],
    then: tuple[str, ...],
    order: tuple[str, ...],
) -> QuerySet[RecordT]:
    """The first hits of `records` matching every word: those where each word matches a `first`
    lookup (a name starting with what was typed) before those found by a `then` one (a word
    inside an email, a phone or a domain), each group in `order`.

    On PostgreSQL the hits are picked by a UNION of small queries, one a lookup of the longest
    word, each with its own order and limit. A single query ORing the lookups leaves the planner
    two bad choices: walk the whole workspace in name order filtering every row (seconds
    of work when the text is rare, as a last name or a domain is), or gather every match and sort
    them (slow when the text is common). One lookup at a time it estimates well and picks the
    right one for each; the few ids they return are then ranked in the outer query."""
    lookups = first + then
    top = _every_word(words, first)
    # The annotation leaves the records' type as it was (django-stubs cannot tell).
    ranked = cast(
        "QuerySet[RecordT]",
        records.filter(_every_word(words, lookups)).annotate(
            rank=Case(When(top, then=Value(0)), default=Value(1), output_field=IntegerField())
        ),
    )
    if connection.vendor != "postgresql":
        return ranked.order_by("rank", *order)[:HITS_PER_KIND]
    at = max(range(len(words)), key=lambda i: len(words[i]))
    anchor, rest = words[at], words[:at] + words[at + 1 :]
    ordered = records.order_by(*order).values("pk")
    branches = []
    if rest:
        # The best group in full: each word starts a name, the anchor one name in particular.
        branches += [
            ordered.filter(Q(**{lookup: anchor}), _every_word(rest, first))[:HITS_PER_KIND]
            for lookup in first
        ]
    branches += [
        ordered.filter(Q(**{lookup: anchor}), *([_every_word(rest, lookups)] if rest else []))[
            :HITS_PER_KIND
        ]
        for lookup in lookups
    ]
    hits = branches[0].union(*branches[1:], all=True)
    return ranked.filter(pk__in=hits).order_by("rank", *order)[:HITS_PER_KIND]


@contextmanager
def _planned_for_the_text() -> Iterator[None]:
    """Plan each search query for the text typed, never once for any text.

    The connection prepares a statement it runs often (settings: prepare_threshold), and
    PostgreSQL then may plan it once for every parameter. A search's plan depends on its
    text: a B-tree serves a name prefix only when it knows the prefix, and whether a text is
    rare or common decides between an index and a walk in order. A generic plan walked all
    100,000 contacts for a last name. Planning each query costs well under a millisecond."""
    raw = connection.connection if connection.vendor == "postgresql" else None
    threshold = getattr(raw, "prepare_threshold", None)
    if raw is None or threshold is None:
        yield
        return
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = threshold


def replies_matching(replies: QuerySet[Reply], query: str) -> QuerySet[Reply]:
    """Replies whose words match: PostgreSQL's full-text search (stemmed, indexed), or a plain
    `icontains` on SQLite."""
    if connection.vendor == "postgresql":
        vector = SearchVector("subject", "body", config="english")
        return replies.annotate(words=vector).filter(
            words=SearchQuery(query, config="english", search_type="websearch")
        )
    return replies.filter(Q(subject__icontains=query) | Q(body__icontains=query))


def search(*, workspace: Workspace, query: str) -> SearchResults:
    """The records of the workspace that match `query`: four queries, whatever the data."""
    query = " ".join(query.replace("\x00", "").split())[:100]
    words = query.split()[:5]
    if len(query) < MIN_QUERY:
        return SearchResults(query, [], [], [], [])
    prospects = _best_first(
        Prospect.objects.filter(workspace=workspace),
        words=words,
        first=("name__istartswith", "domain__istartswith"),
        then=("name__icontains", "domain__icontains"),
        order=("name", "pk"),
    )
    contacts = _best_first(
        Contact.objects.filter(workspace=workspace).select_related("prospect"),
        words=words,
        first=("last_name__istartswith", "first_name__istartswith"),
        then=("email__icontains", "phone__icontains"),
        order=("last_name", "first_name", "pk"),
    )
    deals = (
        Deal.objects.filter(_every_word(words, ("name__icontains",)), workspace=workspace)
        .select_related("prospect", "stage")
        .order_by("-created_at", "-pk")[:HITS_PER_KIND]
    )
    replies = (
        replies_matching(Reply.objects.filter(workspace=workspace), query)
        .select_related("contact")
        .defer("html", "text", "headers")
        .order_by("-received_at", "-pk")[:HITS_PER_KIND]
    )
    connection.ensure_connection()
    with _planned_for_the_text():
        return SearchResults(query, list(prospects), list(contacts), list(deals), list(replies))


def import_jobs(*, workspace: Workspace) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.filter(workspace=workspace)
        .select_related("created_by")
        .defer("preview", "errors", "headers", "mapping")
        .order_by("-created_at", "-pk")
    )


def bulk_actions(*, workspace: Workspace) -> QuerySet[BulkAction]:
    return BulkAction.objects.filter(workspace=workspace).order_by("-created_at", "-pk")
