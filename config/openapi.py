"""The API's OpenAPI contract, made so that clients can be generated from it.

django-ninja builds each operation's JSON schema on its own and merges the components by name,
so two classes with the same short name (every Django model's nested `Status` enum) would
collapse into one component, and generated clients would see one model's values in the
other's. Components here are named by their qualified class name (`Campaign.Status` becomes
`CampaignStatus`), which is unique for nested enums and schemas alike; routes added later get
the same naming without doing anything.
"""

import re
from typing import Any

import ninja.openapi.schema
from ninja.schema import NinjaGenerateJsonSchema
from pydantic.json_schema import CoreModeRef, DefsRef, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema

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
