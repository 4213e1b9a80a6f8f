"""The API's OpenAPI contract, made so that clients can be generated from it.

django-ninja builds each operation's JSON schema on its own and merges the components by name,
so two classes with the same short name (every Django model's nested `Status` enum) would
collapse into one component, and generated clients would see one model's values in the
other's. Components here are named by their qualified class name (`Campaign.Status` becomes
`CampaignStatus`), which is unique for nested enums and schemas alike; routes added later get
the same naming without doing anything.

Every operation also documents the errors the API can answer with (`ContractApi`): the same
`{"detail": ...}` body for a bad request, a missing or wrong key, a refusal, a missing object,
a conflict, a body too large, invalid fields, too many wrong keys and a database outage.
"""

import re
from typing import Any

import ninja.openapi.schema
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema
from pydantic.json_schema import CoreModeRef, DefsRef, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from config.schemas import NO_NUL_PATTERN

_COMPONENT = re.compile(r"([\][,])")


def _qualified(component: str) -> str:
    """`pkg.module.Outer.Inner:123` -> `pkg.module.OuterInner:123`."""
    path, _, ident = component.rpartition(":")
    if not path:
        path, ident = component, ""
    parts = path.split(".")
    first_class = next((i for i, part in enumerate(parts) if part[:1].isupper()), len(parts))
    joined = ".".join([*parts[:first_class], "".join(parts[first_class:])]).strip(".")
    return f"{joined}:{ident}" if ident else joined


class ContractJsonSchema(NinjaGenerateJsonSchema):
    """Names every component after its qualified class name, and titles enums the same way."""

    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        core_ref, mode = core_mode_ref
        qualified = "".join(_qualified(part) for part in _COMPONENT.split(core_ref))
        return super().get_defs_ref((qualified, mode))  # type: ignore[arg-type]

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        # The API refuses NUL characters anywhere (no database column can hold them): say so.
        result = super().str_schema(schema)
        result.setdefault("pattern", NO_NUL_PATTERN)
        return result

    def get_decimal_pattern(self, schema: core_schema.DecimalSchema) -> str | None:
        # Amounts as strings: only what Decimal reads within the digits the field keeps.
        return self.build_decimal_pattern(schema)

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        # Amounts as numbers: bounded by the digits the field keeps, in its smallest unit.
        result = super().decimal_schema(schema)
        digits, places = schema.get("max_digits"), schema.get("decimal_places")
        if digits is not None and places is not None and "anyOf" in result:
            number = result["anyOf"][0]
            largest = 10 ** (digits - places) - 1
            number.setdefault("maximum", largest)
            number.setdefault("minimum", -largest)
            number.setdefault("multipleOf", 10**-places if places else 1)
        return result

    def generate(self, schema: CoreSchema, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        result = super().generate(schema, mode)
        # Generated clients name an enum after its title: make it the component's name.
        for name, definition in result.get("$defs", {}).items():
            if "enum" in definition:
                definition["title"] = name
        return result


def use_contract_naming() -> None:
    """Make django-ninja generate the OpenAPI document with `ContractJsonSchema`."""
    ninja.openapi.schema.NinjaGenerateJsonSchema = ContractJsonSchema  # type: ignore[misc]


def component_name(cls: type[Any]) -> str:
    """The component name a class gets in the OpenAPI document."""
    return cls.__qualname__.replace(".", "")


ERROR_COMPONENT = "ErrorOut"
ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_COMPONENT,
    "description": "What went wrong: a sentence, or the list of invalid fields (422).",
    "type": "object",
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "object", "additionalProperties": True}},
            ],
        },
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}

_ERRORS = {
    "400": "The request cannot be read, or a value is out of range.",
    "401": "No API key or session, or a wrong one.",
    "403": "The key or member may not do this (an admin's task, or a failed CSRF check).",
    "404": "No such object in this workspace.",
    "409": "The change conflicts with the object's state.",
    "413": "The request body is too large.",
    "422": "Fields are missing or invalid.",
    "429": "Too many wrong API keys came from this address; wait for Retry-After.",
    "503": "The database is unavailable for a moment; wait for Retry-After.",
}
_WRITES = {"post", "put", "patch", "delete"}
# Gunicorn reads request lines (method, path and query) of up to 4 KB and answers a longer one
# itself, with a short HTML page, before the API sees it.
_URI_TOO_LONG = {
    "description": "The URL and its query are longer than the server reads (4 KB).",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers an operation can give to every operation that does not list them."""
    schema.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = ["400", "401", "403", "422", "429", "503"]
            if "{" in path:
                statuses.append("404")
            if method in _WRITES:
                statuses += ["409", "413"]
            for status in sorted(statuses):
                operation["responses"].setdefault(
                    status,
                    {
                        "description": _ERRORS[status],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
            operation["responses"].setdefault("414", _URI_TOO_LONG)
    return schema


class ContractApi(NinjaAPI):
    """The NinjaAPI whose document lists every operation's error answers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema
