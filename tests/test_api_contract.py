"""The OpenAPI document is a contract clients can generate from: one component per class,
enums titled as their component, every error answer documented with its body, and texts that
say they take no NUL character (which the API refuses)."""

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
