"""Field types shared by every app's API schemas, bounded so no value can reach the database
that it would refuse."""

import json
from datetime import UTC, datetime, time
from typing import Annotated, Any

from ninja import Field, Path
from pydantic import AfterValidator

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not 1970 <= value.year <= 9998:
        raise ValueError("Dates must fall between 1970 and 9998.")
    return value.astimezone(UTC)


# Naive times are read as UTC; everything is stored and returned in UTC.
UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]


# Business hours are wall-clock times in the workspace's zone, so any offset given is dropped.
ClockTime = Annotated[time, AfterValidator(lambda value: value.replace(tzinfo=None))]


def _bounded_json(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value, default=str)) > 16_384:
        raise ValueError("Custom fields are limited to 16 KB of JSON.")
    if any(len(key) > 100 for key in value):
        raise ValueError("Custom field names are at most 100 characters.")
    return value


CustomFields = Annotated[dict[str, Any], AfterValidator(_bounded_json)]
