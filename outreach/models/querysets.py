"""Query sets for tagged records."""

from collections import defaultdict
from typing import Self, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class TaggedQuerySet(models.QuerySet[_M]):
    """`.with_tag_names()` fetches every row's tag names in one extra query.

    Lists show tags as names only; `prefetch_related("tags")` would build a Tag and a related
    manager per row, which costs more than the page's own query.
    """

    _with_tag_names = False

    def with_tag_names(self) -> Self:
        clone = self._chain()
        clone._with_tag_names = True
        return clone

    def _clone(self) -> Self:
        clone = super()._clone()
        clone._with_tag_names = self._with_tag_names
        return clone

    def _fetch_all(self) -> None:
        fetched = self._result_cache is not None
        super()._fetch_all()
        if fetched or not self._with_tag_names:
            return
        # Model instances get a `tag_names` attribute; `.values()` rows a "tags" key.
        as_rows = self._iterable_class is models.query.ValuesIterable
        if not as_rows and self._iterable_class is not models.query.ModelIterable:
            return
        ids = [item["id"] if as_rows else item.pk for item in self._result_cache]
        through = self.model.tags.through
        column = f"{self.model._meta.model_name}_id"
        names: dict[int, list[str]] = defaultdict(list)
        pairs = (
            through.objects.filter(**{f"{column}__in": ids})
            .values_list(column, "tag__name")
            .order_by("tag__name")
        )
        for pk, name in pairs:
            names[pk].append(name)
        for item in self._result_cache:
            if as_rows:
                item["tags"] = names.get(item["id"], [])
            else:
                item.tag_names = names.get(item.pk, [])
