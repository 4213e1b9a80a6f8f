"""The OpenAPI document is a contract clients can generate from: one component per class,
enums titled as their component, every error answer documented with its body, and texts that
say they take no NUL character (which the API refuses)."""

import re
from typing import Any

import pytest

from config.api import api
from config.schemas import NO_NUL_PATTERN


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return api.get_openapi_schema()


def test_nested_enums_of_different_models_are_different_components(document):
    components = document["components"]["schemas"]
    assert components["ProspectStatus"]["enum"][0] == "NEW"
    assert components["CampaignStatus"]["enum"] == ["draft", "running", "completed"]
    assert "Status" not in components
    for name, component in components.items():
        assert "__" not in name
        if "enum" in component:
            assert component["title"] == name


def test_every_operation_documents_its_errors(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"400", "401", "403", "422", "429", "503"}
            if "{" in path:
                expected.add("404")
            if method != "get":
                expected |= {"409", "413"}
            assert expected <= set(responses), f"{method.upper()} {path}"
            error = responses["422"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorOut"}


def test_texts_say_they_refuse_nul_characters(document):
    components = document["components"]["schemas"]
    assert components["ProspectIn"]["properties"]["name"]["pattern"] == NO_NUL_PATTERN
    assert components["ContactIn"]["properties"]["email"]["pattern"] == NO_NUL_PATTERN
    custom_fields = components["ProspectIn"]["properties"]["custom_fields"]
    assert custom_fields["propertyNames"]["pattern"] == NO_NUL_PATTERN
    query = document["paths"]["/api/v1/prospects"]["get"]["parameters"][0]
    assert query["name"] == "q"
    assert query["schema"]["pattern"] == NO_NUL_PATTERN


def test_a_documented_error_has_the_documented_body(api):
    response = api.get("prospects/999999")
    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)


def _refuses_nul(pattern: str | None) -> bool:
    # The NUL pattern itself, or a whole-text pattern built of listed characters only (a colour,
    # an amount, a voice id), which cannot match a NUL.
    if pattern == NO_NUL_PATTERN:
        return True
    if not pattern or not (pattern.startswith("^") and pattern.endswith("$")):
        return False
    unescaped = re.sub(r"\\.", "", pattern)
    return "[^" not in unescaped and "." not in unescaped


def _texts_without_the_nul_pattern(document, schema, where, seen):
    """Where a text the API reads could carry a NUL: a string with neither the NUL pattern, a
    list of choices nor a date or time format (which no NUL can pass)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen.add(name)
        schema = document["components"]["schemas"][name]
    if schema.get("type") == "string":
        typed = schema.get("format") in {"date", "date-time", "time", "binary"}
        if not _refuses_nul(schema.get("pattern")) and "enum" not in schema and not typed:
            yield where
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _texts_without_the_nul_pattern(document, option, where, seen)
    for name, field in schema.get("properties", {}).items():
        yield from _texts_without_the_nul_pattern(document, field, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _texts_without_the_nul_pattern(document, schema[key], where, seen)


def test_every_text_a_request_carries_refuses_nul_by_its_schema(document):
    # Form fields and bodies are checked against these patterns; nothing else guards them.
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                found += _texts_without_the_nul_pattern(
                    document, parameter["schema"], f"{where} {parameter['name']}", set()
                )
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += _texts_without_the_nul_pattern(document, content["schema"], where, set())
    assert found == []


def test_request_bodies_refuse_fields_they_do_not_declare(document):
    components = document["components"]["schemas"]
    bodies = [name for name in components if name.endswith(("In", "Patch"))]
    assert len(bodies) > 30
    for name in bodies:
        assert components[name].get("additionalProperties") is False, name


def test_an_overlong_url_is_documented_on_every_operation(document):
    for operations in document["paths"].values():
        for operation in operations.values():
            assert "text/html" in operation["responses"]["414"]["content"]
