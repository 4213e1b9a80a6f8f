"""REST endpoints of tags, prospects, contacts, pipelines, deals and touch tasks."""

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from config.errors import NotFound
from config.fast_rows import rows_of
from config.schemas import PathId
from outreach.crm import exports, selectors
from outreach.crm.exports import csv_download
from outreach.crm.schemas import (
    ContactFilter,
    ContactIn,
    ContactOut,
    ContactPatch,
    DealFilter,
    DealIn,
    DealOut,
    DealPatch,
    OutreachLogOut,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    ProspectFilter,
    ProspectIn,
    ProspectOut,
    ProspectPatch,
    TagIn,
    TagOut,
    TagPatch,
    TaskCloseIn,
    TaskFilter,
    TaskIn,
    TaskOut,
    TaskPatch,
    TaskSkipIn,
    TaskSnoozeIn,
    TouchIn,
)
from outreach.crm.services import deals as deal_services
from outreach.crm.services import prospects as prospect_services
from outreach.crm.services import tags as tag_services
from outreach.crm.services import tasks as task_services
from outreach.models import (
    Contact,
    Deal,
    OutreachLog,
    Pipeline,
    Prospect,
    Tag,
)
from outreach.workspaces.auth import principal_of, require_admin
from outreach.workspaces.selectors import get_in_workspace, member_user, ref_in_workspace

router = Router()


User = get_user_model()


@router.get("/tags", response=list[TagOut], tags=["tags"])
@paginate
def tag_list(request: HttpRequest):
    return Tag.objects.filter(workspace=principal_of(request).workspace).order_by("name", "pk")


@router.post("/tags", response={201: TagOut}, tags=["tags"])
def tag_create(request: HttpRequest, payload: TagIn):
    tag = tag_services.tag_create(
        workspace=principal_of(request).workspace, name=payload.name, color=payload.color
    )
    return Status(201, tag)


@router.get("/tags/{tag_id}", response=TagOut, tags=["tags"])
def tag_get(request: HttpRequest, tag_id: PathId):
    return _tag(request, tag_id)


@router.patch("/tags/{tag_id}", response=TagOut, tags=["tags"])
def tag_patch(request: HttpRequest, tag_id: PathId, payload: TagPatch):
    return tag_services.tag_update(
        tag=_tag(request, tag_id), changes=payload.dict(exclude_unset=True)
    )


@router.delete("/tags/{tag_id}", response={204: None}, tags=["tags"])
def tag_delete(request: HttpRequest, tag_id: PathId):
    tag_services.tag_delete(tag=_tag(request, tag_id))
    return Status(204, None)


def _tag(request: HttpRequest, tag_id: int) -> Tag:
    return get_in_workspace(
        Tag.objects, workspace=principal_of(request).workspace, pk=tag_id, label="tag"
    )


CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "The list as CSV, streamed; it reads back in as a CSV import.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


@router.get("/prospects/export", tags=["prospects"], openapi_extra=CSV_RESPONSE)
def prospect_export(request: HttpRequest, filters: Query[ProspectFilter]):
    """Every prospect the list's filters give, as CSV, streamed."""
    workspace = principal_of(request).workspace
    prospects = selectors.prospect_list(workspace=workspace, **filters.dict())
    return csv_download(exports.prospect_csv(prospects), "prospects")


@router.get("/contacts/export", tags=["contacts"], openapi_extra=CSV_RESPONSE)
def contact_export(request: HttpRequest, filters: Query[ContactFilter]):
    """Every contact the list's filters give, as CSV, streamed."""
    workspace = principal_of(request).workspace
    contacts = selectors.contact_list(workspace=workspace, **filters.dict())
    return csv_download(exports.contact_csv(contacts), "contacts")


@router.get("/prospects", response=list[ProspectOut], tags=["prospects"])
@paginate
def prospect_list(request: HttpRequest, filters: Query[ProspectFilter]):
    workspace = principal_of(request).workspace
    return selectors.prospect_rows(selectors.prospect_list(workspace=workspace, **filters.dict()))


@router.post("/prospects", response={201: ProspectOut}, tags=["prospects"])
def prospect_create(request: HttpRequest, payload: ProspectIn):
    workspace = principal_of(request).workspace
    data = payload.dict()
    owner = member_user(workspace=workspace, user_id=data.pop("owner_id"), field="owner_id")
    prospect = prospect_services.prospect_create(workspace=workspace, owner=owner, **data)
    return Status(201, _prospect_row(request, prospect.pk))


@router.get("/prospects/{prospect_id}", response=ProspectOut, tags=["prospects"])
def prospect_get(request: HttpRequest, prospect_id: PathId):
    return _prospect_row(request, prospect_id)


@router.patch("/prospects/{prospect_id}", response=ProspectOut, tags=["prospects"])
def prospect_patch(request: HttpRequest, prospect_id: PathId, payload: ProspectPatch):
    prospect = _prospect(request, prospect_id)
    changes = payload.dict(exclude_unset=True)
    tags = changes.pop("tags", None)
    if "owner_id" in changes:
        changes["owner"] = member_user(
            workspace=prospect.workspace, user_id=changes.pop("owner_id"), field="owner_id"
        )
    prospect_services.prospect_update(prospect=prospect, changes=changes, tags=tags)
    return _prospect_row(request, prospect_id)


@router.delete("/prospects/{prospect_id}", response={204: None}, tags=["prospects"])
def prospect_delete(request: HttpRequest, prospect_id: PathId):
    prospect_services.prospect_delete(prospect=_prospect(request, prospect_id))
    return Status(204, None)


@router.get(
    "/prospects/{prospect_id}/outreach-log", response=list[OutreachLogOut], tags=["prospects"]
)
@paginate
def prospect_outreach_log(request: HttpRequest, prospect_id: PathId):
    return selectors.outreach_log_for_prospect(prospect=_prospect(request, prospect_id))


def _prospect_row(request: HttpRequest, prospect_id: int) -> dict:
    rows = selectors.prospect_rows(
        Prospect.objects.filter(workspace=principal_of(request).workspace, pk=prospect_id)
    )
    if not rows:
        raise NotFound(f"No prospect with id {prospect_id}.")
    return rows[0]


def _prospect(request: HttpRequest, prospect_id: int) -> Prospect:
    return get_in_workspace(
        Prospect.objects.prefetch_related("tags"),
        workspace=principal_of(request).workspace,
        pk=prospect_id,
        label="prospect",
    )


@router.get("/contacts", response=list[ContactOut], tags=["contacts"])
@rows_of(ContactOut)
@paginate
def contact_list(request: HttpRequest, filters: Query[ContactFilter]):
    workspace = principal_of(request).workspace
    return selectors.contact_list(workspace=workspace, **filters.dict()).with_tag_names()


@router.post("/contacts", response={201: ContactOut}, tags=["contacts"])
def contact_create(request: HttpRequest, payload: ContactIn):
    workspace = principal_of(request).workspace
    data = payload.dict()
    prospect = ref_in_workspace(
        Prospect.objects, workspace=workspace, pk=data.pop("prospect_id"), field="prospect_id"
    )
    contact = prospect_services.contact_create(workspace=workspace, prospect=prospect, **data)
    return Status(201, _contact(request, contact.pk))


@router.get("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def contact_get(request: HttpRequest, contact_id: PathId):
    return _contact(request, contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def contact_patch(request: HttpRequest, contact_id: PathId, payload: ContactPatch):
    contact = _contact(request, contact_id)
    changes = payload.dict(exclude_unset=True)
    tags = changes.pop("tags", None)
    prospect_services.contact_update(contact=contact, changes=changes, tags=tags)
    return _contact(request, contact_id)


@router.post("/contacts/{contact_id}/touches", response={201: OutreachLogOut}, tags=["contacts"])
def contact_touch_log(request: HttpRequest, contact_id: PathId, payload: TouchIn):
    """Log a touch made outside the app on the contact's timeline: a call (with its outcome,
    which engagement scoring counts), an email sent from another mailbox, or a note."""
    entry = task_services.contact_touch_log(
        contact=_contact(request, contact_id),
        kind=payload.kind,
        by=principal_of(request).user,
        subject=payload.subject,
        body=payload.body,
        call_outcome=payload.call_outcome or "",
        occurred_at=payload.occurred_at,
    )
    return Status(201, entry)


@router.delete("/contacts/{contact_id}", response={204: None}, tags=["contacts"])
def contact_delete(request: HttpRequest, contact_id: PathId):
    prospect_services.contact_delete(contact=_contact(request, contact_id))
    return Status(204, None)


def _contact(request: HttpRequest, contact_id: int) -> Contact:
    return get_in_workspace(
        Contact.objects.select_related("workspace").prefetch_related("tags"),
        workspace=principal_of(request).workspace,
        pk=contact_id,
        label="contact",
    )


@router.get("/pipelines", response=list[PipelineOut], tags=["deals"])
@paginate
def pipeline_list(request: HttpRequest):
    return selectors.pipeline_list(workspace=principal_of(request).workspace)


@router.post("/pipelines", response={201: PipelineOut}, tags=["deals"])
def pipeline_create(request: HttpRequest, payload: PipelineIn):
    principal = principal_of(request)
    require_admin(principal)
    pipeline = deal_services.pipeline_create(
        workspace=principal.workspace, name=payload.name, stages=payload.stages
    )
    return Status(201, selectors.pipeline_list(workspace=principal.workspace).get(pk=pipeline.pk))


@router.get("/pipelines/{pipeline_id}", response=PipelineOut, tags=["deals"])
def pipeline_get(request: HttpRequest, pipeline_id: PathId):
    workspace = principal_of(request).workspace
    return get_in_workspace(
        selectors.pipeline_list(workspace=workspace),
        workspace=workspace,
        pk=pipeline_id,
        label="pipeline",
    )


@router.patch("/pipelines/{pipeline_id}", response=PipelineOut, tags=["deals"])
def pipeline_patch(request: HttpRequest, pipeline_id: PathId, payload: PipelinePatch):
    principal = principal_of(request)
    require_admin(principal)
    pipeline = get_in_workspace(
        Pipeline.objects, workspace=principal.workspace, pk=pipeline_id, label="pipeline"
    )
    deal_services.pipeline_update(
        pipeline=pipeline,
        name=payload.name,
        stages=(
            [{"id": stage.id, "name": stage.name} for stage in payload.stages]
            if payload.stages is not None
            else None
        ),
    )
    return selectors.pipeline_list(workspace=principal.workspace).get(pk=pipeline.pk)


@router.delete("/pipelines/{pipeline_id}", response={204: None}, tags=["deals"])
def pipeline_delete(request: HttpRequest, pipeline_id: PathId):
    principal = principal_of(request)
    require_admin(principal)
    pipeline = get_in_workspace(
        Pipeline.objects, workspace=principal.workspace, pk=pipeline_id, label="pipeline"
    )
    deal_services.pipeline_delete(pipeline=pipeline)
    return Status(204, None)


@router.get("/deals", response=list[DealOut], tags=["deals"])
@rows_of(DealOut)
@paginate
def deal_list(request: HttpRequest, filters: Query[DealFilter]):
    workspace = principal_of(request).workspace
    return selectors.deal_list(workspace=workspace, **filters.dict()).with_tag_names()


@router.post("/deals", response={201: DealOut}, tags=["deals"])
def deal_create(request: HttpRequest, payload: DealIn):
    workspace = principal_of(request).workspace
    data = payload.dict()
    pipeline = ref_in_workspace(
        Pipeline.objects, workspace=workspace, pk=data.pop("pipeline_id"), field="pipeline_id"
    )
    deal = deal_services.deal_create(
        workspace=workspace,
        pipeline=pipeline,
        stage=selectors.stage_in_pipeline(pipeline_id=pipeline.pk, stage_id=data.pop("stage_id")),
        prospect=ref_in_workspace(
            Prospect.objects, workspace=workspace, pk=data.pop("prospect_id"), field="prospect_id"
        ),
        contact=ref_in_workspace(
            Contact.objects, workspace=workspace, pk=data.pop("contact_id"), field="contact_id"
        ),
        owner=member_user(workspace=workspace, user_id=data.pop("owner_id"), field="owner_id"),
        **data,
    )
    return Status(201, _deal(request, deal.pk))


@router.get("/deals/{deal_id}", response=DealOut, tags=["deals"])
def deal_get(request: HttpRequest, deal_id: PathId):
    return _deal(request, deal_id)


@router.patch("/deals/{deal_id}", response=DealOut, tags=["deals"])
def deal_patch(request: HttpRequest, deal_id: PathId, payload: DealPatch):
    deal = _deal(request, deal_id)
    workspace = deal.workspace
    changes = payload.dict(exclude_unset=True)
    tags = changes.pop("tags", None)
    stage_id = changes.pop("stage_id", None)
    if "contact_id" in changes:
        changes["contact"] = ref_in_workspace(
            Contact.objects, workspace=workspace, pk=changes.pop("contact_id"), field="contact_id"
        )
    if "owner_id" in changes:
        changes["owner"] = member_user(
            workspace=workspace, user_id=changes.pop("owner_id"), field="owner_id"
        )
    stage = selectors.stage_in_pipeline(pipeline_id=deal.pipeline_id, stage_id=stage_id)
    deal_services.deal_update(deal=deal, changes=changes, tags=tags, stage=stage)
    return _deal(request, deal_id)


@router.delete("/deals/{deal_id}", response={204: None}, tags=["deals"])
def deal_delete(request: HttpRequest, deal_id: PathId):
    deal_services.deal_delete(deal=_deal(request, deal_id))
    return Status(204, None)


def _deal(request: HttpRequest, deal_id: int) -> Deal:
    return get_in_workspace(
        Deal.objects.select_related("stage", "workspace", "prospect").prefetch_related("tags"),
        workspace=principal_of(request).workspace,
        pk=deal_id,
        label="deal",
    )


@router.get("/tasks", response=list[TaskOut], tags=["tasks"])
@rows_of(TaskOut)
@paginate
def task_list(request: HttpRequest, filters: Query[TaskFilter]):
    """The touch-task queue: open tasks high priority first, then by due time."""
    return selectors.task_queue(workspace=principal_of(request).workspace, **filters.dict())


@router.post("/tasks", response={201: TaskOut}, tags=["tasks"])
def task_create(request: HttpRequest, payload: TaskIn):
    principal = principal_of(request)
    workspace = principal.workspace
    data = payload.dict()
    prospect = ref_in_workspace(
        Prospect.objects.select_related("owner"),
        workspace=workspace,
        pk=data.pop("prospect_id"),
        field="prospect_id",
    )
    task = task_services.touch_task_create(
        workspace=workspace,
        prospect=prospect,
        contact=ref_in_workspace(
            Contact.objects, workspace=workspace, pk=data.pop("contact_id"), field="contact_id"
        ),
        assignee=member_user(
            workspace=workspace, user_id=data.pop("assignee_id"), field="assignee_id"
        ),
        by=principal.user,
        created_by_label=f"api:{principal.api_key.name}" if principal.api_key else "",
        **data,
    )
    return Status(201, _task(request, task.pk))


@router.get("/tasks/{task_id}", response=TaskOut, tags=["tasks"])
def task_get(request: HttpRequest, task_id: PathId):
    return _task(request, task_id)


@router.patch("/tasks/{task_id}", response=TaskOut, tags=["tasks"])
def task_patch(request: HttpRequest, task_id: PathId, payload: TaskPatch):
    task = _task(request, task_id)
    changes = payload.dict(exclude_unset=True)
    if "assignee_id" in changes:
        changes["assignee"] = member_user(
            workspace=task.workspace, user_id=changes.pop("assignee_id"), field="assignee_id"
        )
    task_services.touch_task_update(task=task, changes=changes)
    return _task(request, task_id)


@router.post("/tasks/{task_id}/complete", response=TaskOut, tags=["tasks"])
def task_complete(request: HttpRequest, task_id: PathId, payload: TaskCloseIn):
    task_services.touch_task_complete(
        task=_task(request, task_id),
        by=principal_of(request).user,
        outcome=payload.outcome,
        call_outcome=payload.call_outcome or "",
    )
    return _task(request, task_id)


@router.post("/tasks/{task_id}/snooze", response=TaskOut, tags=["tasks"])
def task_snooze(request: HttpRequest, task_id: PathId, payload: TaskSnoozeIn):
    """Take an open task out of the queue until `until`, when it comes back due."""
    task_services.touch_task_snooze(
        task=_task(request, task_id), until=payload.until, by=principal_of(request).user
    )
    return _task(request, task_id)


@router.post("/tasks/{task_id}/skip", response=TaskOut, tags=["tasks"])
def task_skip(request: HttpRequest, task_id: PathId, payload: TaskSkipIn):
    task_services.touch_task_skip(
        task=_task(request, task_id), by=principal_of(request).user, reason=payload.outcome
    )
    return _task(request, task_id)


@router.delete("/tasks/{task_id}", response={204: None}, tags=["tasks"])
def task_delete(request: HttpRequest, task_id: PathId):
    task_services.touch_task_delete(task=_task(request, task_id))
    return Status(204, None)


def _task(request: HttpRequest, task_id: int) -> OutreachLog:
    return get_in_workspace(
        OutreachLog.objects.select_related("prospect", "contact", "workspace").filter(
            metadata__kind=OutreachLog.TOUCH_TASK
        ),
        workspace=principal_of(request).workspace,
        pk=task_id,
        label="task",
    )
