"""The deal board: a pipeline's stages as columns of deal cards, where a rep moves a deal by
dragging its card or with the card's buttons (the keyboard's way), through the same stage-change
service as the API, so `deal.stage_changed` automations run."""

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.errors import ApplicationError, ValidationFailed
from outreach.crm import selectors
from outreach.crm.record_views import deal_or_404
from outreach.crm.services import deals as deal_services
from outreach.models import Pipeline
from outreach.workspaces.access import MemberRequest, member_required


@member_required
def deal_board(request: MemberRequest) -> HttpResponse:
    pipelines = list(selectors.pipeline_list(workspace=request.workspace))
    if not pipelines:
        return render(request, "outreach/crm/deal_board.html", {"pipelines": []})
    pipeline = _chosen(pipelines, request.GET.get("pipeline", ""))
    return render(request, "outreach/crm/deal_board.html", _board_context(pipelines, pipeline))


@member_required
@require_POST
def deal_move(request: MemberRequest, deal_id: int) -> HttpResponse:
    """Move a deal to another stage of its pipeline; answer with the board as it is now."""
    deal = deal_or_404(request, deal_id)
    stage_id = request.POST.get("stage", "")
    error = ""
    moved = None
    try:
        stage = selectors.stage_in_pipeline(
            pipeline_id=deal.pipeline_id,
            stage_id=int(stage_id) if stage_id.isdigit() and len(stage_id) < 19 else 0,
        )
        if stage is None:
            raise ValidationFailed.for_field("stage", "Choose a stage.")
        left = deal_services.deal_move_stage(deal=deal, stage=stage)
    except ApplicationError as exc:
        error = exc.message
    else:
        moved = {"deal": deal, "stage": stage, "left": left}
    if not request.htmx:
        board = reverse("crm:deal_board") + f"?pipeline={deal.pipeline_id}"
        return redirect(board)
    pipelines = list(selectors.pipeline_list(workspace=request.workspace))
    context = _board_context(pipelines, deal.pipeline)
    context.update(moved=moved, error=error, focus_deal=deal.pk)
    return render(
        request,
        "outreach/crm/partials/board.html",
        context,
        status=422 if error else 200,
    )


def _chosen(pipelines: list[Pipeline], pipeline_id: str) -> Pipeline:
    if not pipeline_id:
        return pipelines[0]
    for pipeline in pipelines:
        if str(pipeline.pk) == pipeline_id:
            return pipeline
    raise Http404("No such pipeline.")


def _board_context(pipelines: list[Pipeline], pipeline: Pipeline) -> dict[str, Any]:
    columns = selectors.deal_board(pipeline=pipeline)
    return {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "columns": columns,
        "stages": [column.stage for column in columns],
        "now": timezone.now(),
    }
