"""Admin pages that set a workspace's CRM up: its tags (name and colour) and its pipelines
(their stages, in order)."""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from config.errors import ApplicationError
from outreach.crm import selectors
from outreach.crm.forms import PipelineForm, StageFormSet, TagForm, show_errors, stages_from
from outreach.crm.record_views import confirm_delete, count_of, record_editor
from outreach.crm.services import deals as deal_services
from outreach.crm.services import tags as tag_services
from outreach.models import Pipeline, Stage, Tag
from outreach.workspaces.access import MemberRequest, admin_required

# --- Tags -----------------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def tag_list(request: MemberRequest) -> HttpResponse:
    """The workspace's tags with how much each is used, and a form for a new one."""
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = tag_services.tag_create(workspace=request.workspace, **form.cleaned_data)
        except ApplicationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"Created the tag {tag.name}.")
            return redirect("crm:tag_list")
    tags = (
        Tag.objects.filter(workspace=request.workspace)
        .annotate(
            prospect_count=Count("prospects", distinct=True),
            contact_count=Count("contacts", distinct=True),
            deal_count=Count("deals", distinct=True),
        )
        .order_by("name", "pk")
    )
    status = 422 if request.method == "POST" else 200
    return render(
        request, "outreach/crm/tag_list.html", {"form": form, "tags": tags}, status=status
    )


@admin_required
@require_http_methods(["GET", "POST"])
def tag_edit(request: MemberRequest, tag_id: int) -> HttpResponse:
    tag = _tag_or_404(request, tag_id)
    return record_editor(
        request,
        form=TagForm,
        initial={"name": tag.name, "color": tag.color},
        save=lambda data: tag_services.tag_update(tag=tag, changes=data),
        done=lambda saved: reverse("crm:tag_list"),
        template="outreach/crm/tag_form.html",
        context={"tag": tag},
    )


@admin_required
@require_http_methods(["GET", "POST"])
def tag_delete(request: MemberRequest, tag_id: int) -> HttpResponse:
    tag = _tag_or_404(request, tag_id)
    if request.method == "POST":
        tag_services.tag_delete(tag=tag)
        messages.success(request, f"Deleted the tag {tag.name}.")
        return redirect("crm:tag_list")
    counts = Tag.objects.filter(pk=tag.pk).aggregate(
        prospects=Count("prospects", distinct=True),
        contacts=Count("contacts", distinct=True),
        deals=Count("deals", distinct=True),
    )
    used_on = [
        count_of(counts["prospects"], "prospect"),
        count_of(counts["contacts"], "contact"),
        count_of(counts["deals"], "deal"),
    ]
    return confirm_delete(
        request,
        name=f"the tag {tag.name}",
        consequences=[f"It comes off {n}." for n in used_on if n],
        cancel_url=reverse("crm:tag_list"),
    )


def _tag_or_404(request: MemberRequest, tag_id: int) -> Tag:
    tag = Tag.objects.filter(workspace=request.workspace, pk=tag_id).first()
    if tag is None:
        raise Http404("No such tag.")
    return tag


# --- Pipelines ------------------------------------------------------------------------------


@admin_required
def pipeline_list(request: MemberRequest) -> HttpResponse:
    pipelines = (
        Pipeline.objects.filter(workspace=request.workspace)
        .annotate(deal_count=Count("deals"))
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=Stage.objects.annotate(deal_count=Count("deals")).order_by(
                    "position", "pk"
                ),
            )
        )
        .order_by("name", "pk")
    )
    return render(request, "outreach/crm/pipeline_list.html", {"pipelines": pipelines})


@admin_required
@require_http_methods(["GET", "POST"])
def pipeline_create(request: MemberRequest) -> HttpResponse:
    return _pipeline_editor(request, pipeline=None)


@admin_required
@require_http_methods(["GET", "POST"])
def pipeline_edit(request: MemberRequest, pipeline_id: int) -> HttpResponse:
    return _pipeline_editor(request, pipeline=_pipeline_or_404(request, pipeline_id))


def _pipeline_editor(request: MemberRequest, *, pipeline: Pipeline | None) -> HttpResponse:
    status = 200
    stage_errors: list[str] = []
    if request.method == "POST":
        form = PipelineForm(request.POST)
        stages = StageFormSet(request.POST, prefix="stages")
        if form.is_valid() and stages.is_valid():
            try:
                pipeline = _pipeline_save(request, pipeline, form.cleaned_data["name"], stages)
            except ApplicationError as exc:
                # What is wrong with the stages is said above them, the rest by its field.
                stage_errors = exc.field_errors.get("stages", [])
                if not stage_errors:
                    show_errors(form, exc)
            else:
                messages.success(request, f"Saved the pipeline {pipeline.name}.")
                return redirect("crm:pipeline_list")
        status = 422
    else:
        form = PipelineForm(initial={"name": pipeline.name} if pipeline else None)
        initial = (
            [
                {"id": stage.pk, "name": stage.name, "ORDER": i}
                for i, stage in enumerate(pipeline.stages.order_by("position", "pk"), start=1)
            ]
            if pipeline
            else [{"name": name} for name in ("Qualification", "Proposal", "Closed won")]
        )
        stages = StageFormSet(initial=initial, prefix="stages")
    return render(
        request,
        "outreach/crm/pipeline_form.html",
        {"form": form, "stages": stages, "stage_errors": stage_errors, "pipeline": pipeline},
        status=status,
    )


def _pipeline_save(
    request: MemberRequest, pipeline: Pipeline | None, name: str, stages: StageFormSet
) -> Pipeline:
    listed = stages_from(stages)
    if pipeline is None:
        return deal_services.pipeline_create(
            workspace=request.workspace, name=name, stages=[stage["name"] for stage in listed]
        )
    return deal_services.pipeline_update(pipeline=pipeline, name=name, stages=listed)


@admin_required
@require_http_methods(["GET", "POST"])
def pipeline_delete(request: MemberRequest, pipeline_id: int) -> HttpResponse:
    pipeline = _pipeline_or_404(request, pipeline_id)
    if request.method == "POST":
        try:
            deal_services.pipeline_delete(pipeline=pipeline)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Deleted the pipeline {pipeline.name}.")
        return redirect("crm:pipeline_list")
    deal_count = pipeline.deals.count()
    return confirm_delete(
        request,
        name=f"the pipeline {pipeline.name}",
        consequences=[
            "Deleted with it, its stages: "
            + ", ".join(stage.name for stage in pipeline.stages.all())
            + "."
        ],
        cancel_url=reverse("crm:pipeline_list"),
        refused=(
            f"It still has {count_of(deal_count, 'deal')}: move or delete them first."
            if deal_count
            else ""
        ),
    )


def _pipeline_or_404(request: MemberRequest, pipeline_id: int) -> Pipeline:
    pipeline = selectors.pipeline_list(workspace=request.workspace).filter(pk=pipeline_id).first()
    if pipeline is None:
        raise Http404("No such pipeline.")
    return pipeline
