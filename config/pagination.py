"""The API's one pagination: page numbers with bounds no client can overflow. It is
NINJA_PAGINATION_CLASS, so every bare `@paginate` uses it."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 100_000


class Pages(PageNumberPagination):
    """`?page=&page_size=` with a total count; page_size is capped at 200."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=200)
