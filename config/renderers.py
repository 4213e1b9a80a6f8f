"""The API's JSON renderer: orjson, several times faster than the standard library on lists."""

from decimal import Decimal
from typing import Any

import orjson
from django.http import HttpRequest
from ninja.renderers import BaseRenderer


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # money keeps its exact digits, as a string
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
