"""Pagination: the API's page numbers with bounds no client can overflow (NINJA_PAGINATION_CLASS,
so every bare `@paginate` uses it), and the dashboard lists' pages."""

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 100_000


class Pages(PageNumberPagination):
    """`?page=&page_size=` with a total count; page_size is capped at 200."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=200)


# Dashboard lists show this many rows a page.
DASHBOARD_PAGE_SIZE = 25


def dashboard_page(request: HttpRequest, rows: QuerySet | Sequence) -> Page:
    """The page of `rows` that `?page=` asks for (the last one past the end, the first on junk)."""
    return Paginator(rows, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
