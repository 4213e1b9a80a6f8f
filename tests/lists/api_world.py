"""The list-work objects the API-wide tests need: an import (with a row it could not import, so
it has an error report), a bulk action and a saved view."""

import io

from django.db.models import QuerySet
from django.test import TestCase

from outreach.lists.services import imports
from outreach.models import BulkAction, ImportJob, SavedView, Workspace


def build(workspace: Workspace, owner, mark: str, world: dict[str, int]) -> dict[str, int]:
    job = run_import(workspace, owner, mark)
    bulk = BulkAction.objects.create(
        workspace=workspace,
        created_by=owner,
        target=BulkAction.Target.PROSPECTS,
        action="add_tag",
        params={"tag": f"{mark}-bulk"},
        record_ids=[world["prospect_id"]],
        total=1,
        status=BulkAction.Status.DONE,
        summary=f"Tagged 1 of 1 prospect {mark}-bulk.",
    )
    view = SavedView.objects.create(
        workspace=workspace, owner=owner, list_name="prospects", name=f"{mark} view", query="q=x"
    )
    return {"import_id": job.pk, "bulk_id": bulk.pk, "view_id": view.pk}


def run_import(workspace: Workspace, owner, mark: str) -> ImportJob:
    data = f"Company,Domain,Email\n{mark} Import,{mark}-import.example,a@{mark}.example\n,,\n"
    job = imports.import_create(
        workspace=workspace,
        by=owner,
        file_name=f"{mark}.csv",
        upload=io.BytesIO((data + "No email,x.example,not-an-email\n").encode()),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        imports.import_start(job=job, mapping=job.mapping, on_duplicate="skip")
    job.refresh_from_db()
    return job


def rows(workspace: Workspace) -> list[QuerySet]:
    return [
        ImportJob.objects.filter(workspace=workspace),
        BulkAction.objects.filter(workspace=workspace),
        SavedView.objects.filter(workspace=workspace),
    ]


def populate(workspace: Workspace, owner, n: int, ids: dict[str, int]) -> dict[str, int]:
    for i in range(n):
        ImportJob.objects.create(
            workspace=workspace,
            created_by=owner,
            file_name=f"populated-{i}.csv",
            source_file="imports/none.csv",
            headers=["Company"],
            mapping=["name"],
            errors=[{"line": 2, "reason": "The company name is empty."}],
        )
    return {}
