"""Reads of list work: global search over the workspace's records, and the import and bulk
jobs a member looks at."""

import operator
from dataclasses import dataclass
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from outreach.models import BulkAction, Contact, Deal, ImportJob, Prospect, Reply, Workspace

# Each kind shows this many hits; search is for finding one record, not for listing.
HITS_PER_KIND = 6
MIN_QUERY = 2


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


def _every_word(words: list[str], contains: tuple[str, ...], starts: tuple[str, ...] = ()) -> Q:
    """Each word is in one of the `contains` fields or starts one of the `starts` fields
    ("pat smi" finds Pat Smith): on PostgreSQL each lookup is served by an index, trigram or
    B-tree (migration 0018)."""
    return reduce(
        operator.and_,
        (
            reduce(
                operator.or_,
                [
                    *(Q(**{f"{f}__istartswith": w}) for f in starts),
                    *(Q(**{f"{f}__icontains": w}) for f in contains),
                ],
            )
            for w in words
        ),
    )


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
    prospects = Prospect.objects.filter(
        _every_word(words, ("name", "domain")), workspace=workspace
    ).order_by("name", "pk")[:HITS_PER_KIND]
    contacts = (
        Contact.objects.filter(
            _every_word(words, ("email", "phone"), starts=("first_name", "last_name")),
            workspace=workspace,
        )
        .select_related("prospect")
        .order_by("last_name", "first_name", "pk")[:HITS_PER_KIND]
    )
    deals = (
        Deal.objects.filter(_every_word(words, ("name",)), workspace=workspace)
        .select_related("prospect", "stage")
        .order_by("-created_at", "-pk")[:HITS_PER_KIND]
    )
    replies = (
        replies_matching(Reply.objects.filter(workspace=workspace), query)
        .select_related("contact")
        .defer("html", "text", "headers")
        .order_by("-received_at", "-pk")[:HITS_PER_KIND]
    )
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
