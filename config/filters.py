"""What list selectors share: the filters a caller gave, and a text search over fields."""

import operator
from functools import reduce
from typing import Any

from django.db.models import Q


def given(**lookups: Any) -> dict[str, Any]:
    """The lookups whose value was given: a list's empty filter filters nothing."""
    return {lookup: value for lookup, value in lookups.items() if value}


def text_search(q: str, *fields: str) -> Q:
    """Rows where any of `fields` contains `q`, whatever the case; every row when q is empty."""
    if not q:
        return Q()
    return reduce(operator.or_, (Q(**{f"{field}__icontains": q}) for field in fields))
