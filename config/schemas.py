"""Field types shared by every app's API schemas, bounded so no value can reach the database
that it would refuse."""

import math
from datetime import UTC, datetime, time
from typing import Annotated, Any

from ninja import Field, Path, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, WithJsonSchema

MAX_ID = 2**63 - 1
# Every text the API takes matches this (the parser refuses NUL anywhere in a request).
NO_NUL_PATTERN = "^[^\\u0000]*$"

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Input(Schema):
    """A request body. A field the API does not know is refused rather than dropped, so a
    misspelt field is an error the client sees, and the schema says so
    (`additionalProperties: false`)."""

    model_config = ConfigDict(extra="forbid")


def _text_only(value: Any) -> Any:
    # Pydantic would read a bare number as seconds since 1970; the API documents ISO 8601 text.
    if not isinstance(value, str | datetime):
        raise ValueError("Give the date and time as ISO 8601 text, e.g. 2026-03-01T09:00:00Z.")
    return value


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not 1970 <= value.year <= 9998:
        raise ValueError("Dates must fall between 1970 and 9998.")
    return value.astimezone(UTC)


# Naive times are read as UTC; everything is stored and returned in UTC.
UtcDatetime = Annotated[datetime, BeforeValidator(_text_only), AfterValidator(_to_utc)]


# Business hours are wall-clock times in the workspace's zone, so any offset given is dropped.
ClockTime = Annotated[time, AfterValidator(lambda value: value.replace(tzinfo=None))]


# Custom fields hold what a team tracks beyond the standard fields: names up to 100 characters,
# each with a text, a number, a yes/no, nothing, or a short list or record of those. The schema
# below says exactly what the validator accepts, so clients generated from the OpenAPI
# document send nothing the API refuses, and no number is stored that cannot be read back.
MAX_CUSTOM_FIELDS = 50
MAX_CUSTOM_NAME = 100
MAX_CUSTOM_TEXT = 500
MAX_CUSTOM_ITEMS = 10
MAX_CUSTOM_NUMBER = 1e15

_SCALAR_SCHEMAS: list[dict[str, Any]] = [
    {"type": "string", "maxLength": MAX_CUSTOM_TEXT, "pattern": NO_NUL_PATTERN},
    {"type": "integer", "minimum": -MAX_ID, "maximum": MAX_ID},
    {"type": "number", "minimum": -MAX_CUSTOM_NUMBER, "maximum": MAX_CUSTOM_NUMBER},
    {"type": "boolean"},
    {"type": "null"},
]
_SCALAR_SCHEMA = {"anyOf": _SCALAR_SCHEMAS}
CUSTOM_FIELDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        f"Up to {MAX_CUSTOM_FIELDS} fields, names up to {MAX_CUSTOM_NAME} characters; a value "
        f"is a text (up to {MAX_CUSTOM_TEXT} characters), a number, true/false, null, or a "
        f"list or object of up to {MAX_CUSTOM_ITEMS} of those."
    ),
    "maxProperties": MAX_CUSTOM_FIELDS,
    "propertyNames": {"maxLength": MAX_CUSTOM_NAME, "pattern": NO_NUL_PATTERN},
    "additionalProperties": {
        "anyOf": [
            *_SCALAR_SCHEMAS,
            {"type": "array", "maxItems": MAX_CUSTOM_ITEMS, "items": _SCALAR_SCHEMA},
            {
                "type": "object",
                "maxProperties": MAX_CUSTOM_ITEMS,
                "propertyNames": {"maxLength": MAX_CUSTOM_NAME, "pattern": NO_NUL_PATTERN},
                "additionalProperties": _SCALAR_SCHEMA,
            },
        ]
    },
}


def _check_scalar(name: str, value: Any) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        if len(value) > MAX_CUSTOM_TEXT:
            raise ValueError(f"{name}: texts are at most {MAX_CUSTOM_TEXT} characters.")
        return
    if isinstance(value, int):
        if not -MAX_ID <= value <= MAX_ID:
            raise ValueError(f"{name}: whole numbers must fit in 64 bits.")
        return
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_CUSTOM_NUMBER:
            raise ValueError(f"{name}: numbers are at most {MAX_CUSTOM_NUMBER:.0e} either way.")
        return
    raise ValueError(f"{name}: a value is a text, a number, true/false or null.")


def _check_names(names: Any, limit: int) -> None:
    if len(names) > limit:
        raise ValueError(f"Custom fields hold at most {limit} entries.")
    if any(len(name) > MAX_CUSTOM_NAME for name in names):
        raise ValueError(f"Custom field names are at most {MAX_CUSTOM_NAME} characters.")


def _bounded_json(value: dict[str, Any]) -> dict[str, Any]:
    _check_names(value, MAX_CUSTOM_FIELDS)
    for name, field in value.items():
        if isinstance(field, list):
            if len(field) > MAX_CUSTOM_ITEMS:
                raise ValueError(f"{name}: lists hold at most {MAX_CUSTOM_ITEMS} values.")
            for item in field:
                _check_scalar(name, item)
        elif isinstance(field, dict):
            _check_names(field, MAX_CUSTOM_ITEMS)
            for item in field.values():
                _check_scalar(name, item)
        else:
            _check_scalar(name, field)
    return value


CustomFields = Annotated[
    dict[str, Any], AfterValidator(_bounded_json), WithJsonSchema(CUSTOM_FIELDS_SCHEMA)
]
