"""The imports API: POST /imports (multipart) starts an import; GET /imports/{id} follows it."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from outreach.models import Contact, Prospect

CSV = b"Org,Site,Mail,Given name\nStripe,stripe.com,pat@stripe.com,Pat\nNoname,,bad,\n"


def post(api, data: dict):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.client.post("/api/v1/imports", data, headers=api.headers)


@pytest.mark.django_db
def test_an_integration_imports_a_csv_with_its_own_mapping_and_reads_the_result(api, workspace):
    mapping = {"Org": "name", "Site": "website", "Mail": "email", "Given name": "first_name"}
    response = post(
        api,
        {
            "file": SimpleUploadedFile("leads.csv", CSV),
            "mapping": json.dumps(mapping),
            "on_duplicate": "update",
        },
    )
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]

    body = api.get(f"imports/{job_id}").json()
    assert body["status"] == "done"
    assert body["counts"] == {"created": 1, "updated": 0, "skipped": 0, "failed": 1}
    assert body["errors"] == [{"line": 3, "reason": "'bad' is not an email address."}]
    assert body["mapping"] == mapping and body["has_error_report"] is True
    report = api.get(f"imports/{job_id}/errors")
    assert b"".join(report.streaming_content).startswith(b"line,reason,Org")
    assert Contact.objects.get(email="pat@stripe.com").prospect.website == "https://stripe.com"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra, detail",
    [
        ({"mapping": "{not json"}, "not JSON"),
        ({"mapping": json.dumps({"Nope": "name"})}, "no column named"),
        ({"mapping": json.dumps({"Org": "salary"})}, "not a field"),
        ({"mapping": json.dumps(["name"])}, "JSON object"),
    ],
)
def test_a_bad_mapping_is_a_422_and_imports_nothing(api, extra, detail):
    response = post(api, {"file": SimpleUploadedFile("leads.csv", CSV), **extra})
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    assert not Prospect.objects.exists()


@pytest.mark.django_db
def test_a_missing_or_empty_file_is_refused(api):
    assert post(api, {}).status_code == 422
    empty = post(api, {"file": SimpleUploadedFile("e.csv", b"")})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]


@pytest.mark.django_db
def test_another_workspace_cannot_read_an_import(api, stranger_api):
    job_id = post(api, {"file": SimpleUploadedFile("leads.csv", CSV)}).json()["id"]
    assert stranger_api.get(f"imports/{job_id}").status_code == 404
    assert stranger_api.get(f"imports/{job_id}/errors").status_code == 404
    assert all(item["id"] != job_id for item in stranger_api.get("imports").json()["items"])
