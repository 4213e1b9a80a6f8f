"""Pages that create, edit and delete prospects, contacts and deals, edit a prospect's status,
owner and tags (and a deal's stage) in place, and show a contact with their timeline."""

import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.db.models import Count, F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import ApplicationError, ValidationFailed
from outreach.crm import selectors
from outreach.crm.forms import (
    INLINE_PROSPECT_FIELDS,
    ContactForm,
    DealForm,
    ProspectForm,
    TouchLogForm,
    show_errors,
)
from outreach.crm.services import deals as deal_services
from outreach.crm.services import prospects as prospect_services
from outreach.crm.services import tasks as task_services
from outreach.crm.views import prospect_or_404
from outreach.models import Contact, Deal, Pipeline, Prospect, Stage
from outreach.workspaces.access import MemberRequest, member_required
from outreach.workspaces.selectors import member_user

R = TypeVar("R")

# --- Prospects ------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def prospect_create(request: MemberRequest) -> HttpResponse:
    return _prospect_editor(request, prospect=None)


@member_required
@require_http_methods(["GET", "POST"])
def prospect_edit(request: MemberRequest, prospect_id: int) -> HttpResponse:
    return _prospect_editor(request, prospect=prospect_or_404(request, prospect_id))


def _prospect_editor(request: MemberRequest, *, prospect: Prospect | None) -> HttpResponse:
    return record_editor(
        request,
        form=lambda data=None, **kw: ProspectForm(data, workspace=request.workspace, **kw),
        initial=_prospect_initial(prospect),
        save=lambda data: _prospect_save(request, prospect, data),
        done=lambda saved: reverse("crm:prospect_detail", args=[saved.pk]),
        template="outreach/crm/prospect_form.html",
        context={"prospect": prospect, "tag_names": _tag_names(request)},
    )


def _prospect_save(request: MemberRequest, prospect: Prospect | None, data: dict) -> Prospect:
    fields = {
        "name": data["name"],
        "website": data["website"],
        "domain": data["domain"],
        "status": data["status"],
        "owner": member_user(workspace=request.workspace, user_id=data["owner"], field="owner"),
    }
    if prospect is None:
        return prospect_services.prospect_create(
            workspace=request.workspace, tags=data["tags"], **fields
        )
    prospect_services.prospect_update(prospect=prospect, changes=fields, tags=data["tags"])
    return prospect


def _prospect_initial(prospect: Prospect | None) -> dict[str, Any]:
    if prospect is None:
        return {}
    return {
        "name": prospect.name,
        "website": prospect.website,
        "domain": prospect.domain,
        "status": prospect.status,
        "owner": prospect.owner_id,
        "tags": [tag.name for tag in prospect.tags.all()],
    }


@member_required
@require_http_methods(["GET", "POST"])
def prospect_delete(request: MemberRequest, prospect_id: int) -> HttpResponse:
    prospect = prospect_or_404(request, prospect_id)
    if request.method == "POST":
        prospect_services.prospect_delete(prospect=prospect)
        messages.success(request, f"Deleted {prospect.name}.")
        return redirect("crm:prospect_list")
    counts = Prospect.objects.filter(pk=prospect.pk).aggregate(
        contacts=Count("contacts", distinct=True),
        deals=Count("deals", distinct=True),
        log=Count("outreach_logs", distinct=True),
    )
    return confirm_delete(
        request,
        name=prospect.name,
        consequences=[
            "Deleted with it: "
            + ", ".join(
                n
                for n in (
                    count_of(counts["contacts"], "contact"),
                    count_of(counts["deals"], "deal"),
                    count_of(counts["log"], "outreach log entry", "outreach log entries"),
                )
                if n
            )
            + "."
            if any(counts.values())
            else ""
        ],
        cancel_url=reverse("crm:prospect_detail", args=[prospect.pk]),
    )


@member_required
@require_http_methods(["GET", "POST"])
def prospect_field(request: MemberRequest, prospect_id: int, field: str) -> HttpResponse:
    """One field of the prospect page, in place: GET shows its editor (`?show=1`: the value
    again, for Cancel), POST saves it and shows the new value."""
    if field not in INLINE_PROSPECT_FIELDS:
        raise Http404("No such field.")
    prospect = prospect_or_404(request, prospect_id)
    if not request.htmx:
        return redirect("crm:prospect_edit", prospect_id=prospect.pk)
    context: dict[str, Any] = {"prospect": prospect, "field": field}
    if request.method == "GET" and request.GET.get("show"):
        return render(request, "outreach/crm/partials/prospect_field.html", context)
    form = ProspectForm(
        request.POST if request.method == "POST" else None,
        initial=_prospect_initial(prospect),
        workspace=request.workspace,
        only=field,
    )
    if request.method == "POST":
        if form.is_valid():
            value = form.cleaned_data[field]
            try:
                if field == "tags":
                    prospect_services.prospect_update(prospect=prospect, changes={}, tags=value)
                else:
                    if field == "owner":
                        value = member_user(
                            workspace=request.workspace, user_id=value, field="owner"
                        )
                    prospect_services.prospect_update(prospect=prospect, changes={field: value})
            except ApplicationError as exc:
                show_errors(form, exc)
            else:
                prospect = prospect_or_404(request, prospect.pk)
                return render(
                    request,
                    "outreach/crm/partials/prospect_field.html",
                    {**context, "prospect": prospect, "saved": True},
                )
        context.update(form=form)
        return render(request, "outreach/crm/partials/prospect_field.html", context, status=422)
    context.update(form=form, tag_names=_tag_names(request) if field == "tags" else [])
    return render(request, "outreach/crm/partials/prospect_field.html", context)


@member_required
def prospect_options(request: MemberRequest) -> HttpResponse:
    """Prospects whose name starts with what was typed, for the Company fields' suggestions."""
    typed = request.GET.get("prospect", request.GET.get("q", ""))[:200].strip()
    if "\x00" in typed:  # no name holds one, and the database would refuse to compare it
        typed = ""
    prospects = (
        Prospect.objects.filter(workspace=request.workspace, name__istartswith=typed)
        .order_by("name", "pk")
        .values("name", "domain")[:20]
        if typed
        else []
    )
    return render(request, "outreach/crm/partials/prospect_options.html", {"prospects": prospects})


# --- Contacts -------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def contact_create(request: MemberRequest) -> HttpResponse:
    prospect = _prospect_param(request) if request.GET.get("prospect") else None
    return _contact_editor(request, contact=None, prospect=prospect)


@member_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: MemberRequest, contact_id: int) -> HttpResponse:
    contact = contact_or_404(request, contact_id)
    return _contact_editor(request, contact=contact, prospect=contact.prospect)


def _contact_editor(
    request: MemberRequest, *, contact: Contact | None, prospect: Prospect | None
) -> HttpResponse:
    return record_editor(
        request,
        form=lambda data=None, **kw: ContactForm(
            data, editing=contact is not None, prospect_fixed=prospect is not None, **kw
        ),
        initial=_contact_initial(contact),
        save=lambda data: _contact_save(request, contact, prospect, data),
        done=lambda saved: reverse("crm:contact_detail", args=[saved.pk]),
        template="outreach/crm/contact_form.html",
        context={
            "contact": contact,
            "prospect": prospect,
            "time_zones": _time_zones(),
            "tag_names": _tag_names(request),
        },
    )


def _contact_save(
    request: MemberRequest, contact: Contact | None, prospect: Prospect | None, data: dict
) -> Contact:
    fields = {
        name: data[name]
        for name in ("first_name", "last_name", "email", "phone", "title", "time_zone")
    }
    if contact is not None:
        fields["outreach_status"] = data["outreach_status"]
        prospect_services.contact_update(contact=contact, changes=fields, tags=data["tags"])
        return contact
    if prospect is None:
        prospect = _prospect_named(request, data["prospect"])
    return prospect_services.contact_create(
        workspace=request.workspace, prospect=prospect, tags=data["tags"], **fields
    )


def _contact_initial(contact: Contact | None) -> dict[str, Any]:
    if contact is None:
        return {}
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "phone": contact.phone,
        "title": contact.title,
        "time_zone": contact.time_zone,
        "outreach_status": contact.outreach_status,
        "tags": [tag.name for tag in contact.tags.all()],
    }


@member_required
def contact_detail(request: MemberRequest, contact_id: int) -> HttpResponse:
    contact = contact_or_404(request, contact_id)
    return _contact_page(request, contact, TouchLogForm())


@member_required
@require_POST
def contact_log(request: MemberRequest, contact_id: int) -> HttpResponse:
    """Log a call, an email sent elsewhere or a note on the contact's timeline."""
    contact = contact_or_404(request, contact_id)
    form = TouchLogForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task_services.contact_touch_log(
                contact=contact,
                kind=data["kind"],
                by=request.user,
                subject=data["subject"],
                body=data["body"],
                call_outcome=data["call_outcome"] if data["kind"] == "call" else "",
                occurred_at=data["occurred_at"],
            )
        except ApplicationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "Added to the timeline.")
            return redirect(reverse("crm:contact_detail", args=[contact.pk]) + "#timeline")
    return _contact_page(request, contact, form, status=422)


def _contact_page(
    request: MemberRequest, contact: Contact, form: TouchLogForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "outreach/crm/contact_detail.html",
        {
            "contact": contact,
            "log_form": form,
            "timeline": selectors.outreach_log_for_contact(contact=contact)[:50],
            "open_tasks": selectors.task_queue(
                workspace=request.workspace, prospect_id=contact.prospect_id
            ).filter(contact=contact),
            "deals": Deal.objects.filter(workspace=request.workspace, contact=contact)
            .select_related("pipeline", "stage")
            .order_by("-created_at", "-pk"),
        },
        status=status,
    )


@member_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: MemberRequest, contact_id: int) -> HttpResponse:
    contact = contact_or_404(request, contact_id)
    if request.method == "POST":
        prospect_services.contact_delete(contact=contact)
        messages.success(request, f"Deleted {contact}.")
        return redirect("crm:prospect_detail", prospect_id=contact.prospect_id)
    counts = Contact.objects.filter(pk=contact.pk).aggregate(
        sequences=Count("outreach_sequences", distinct=True),
        log=Count("outreach_logs", distinct=True),
    )
    enrollments = count_of(counts["sequences"], "sequence enrollment")
    log = count_of(counts["log"], "outreach log entry", "outreach log entries")
    return confirm_delete(
        request,
        name=str(contact),
        consequences=[
            "Deleted with them: their engagement score"
            + (f" and {enrollments}." if enrollments else "."),
            f"Kept on {contact.prospect.name}'s log, without a contact: {log}." if log else "",
        ],
        cancel_url=reverse("crm:contact_detail", args=[contact.pk]),
    )


def contact_or_404(request: MemberRequest, contact_id: int) -> Contact:
    contact = (
        Contact.objects.select_related("prospect", "workspace")
        .prefetch_related("tags")
        # The engagement badge, joined in.
        .annotate(engagement_level=F("engagements__level"))
        .filter(workspace=request.workspace, pk=contact_id)
        .first()
    )
    if contact is None:
        raise Http404("No such contact.")
    return contact


# --- Deals ----------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def deal_create(request: MemberRequest) -> HttpResponse:
    prospect = _prospect_param(request) if request.GET.get("prospect") else None
    return _deal_editor(request, deal=None, prospect=prospect)


@member_required
@require_http_methods(["GET", "POST"])
def deal_edit(request: MemberRequest, deal_id: int) -> HttpResponse:
    deal = deal_or_404(request, deal_id)
    return _deal_editor(request, deal=deal, prospect=deal.prospect)


def _deal_editor(
    request: MemberRequest, *, deal: Deal | None, prospect: Prospect | None
) -> HttpResponse:
    pipelines = _pipelines_for(request, deal)
    if not pipelines:
        messages.error(request, "Deals live in a pipeline: an admin creates one first.")
        return redirect("crm:deal_board")
    return record_editor(
        request,
        form=lambda data=None, **kw: DealForm(
            data, workspace=request.workspace, pipelines=pipelines, prospect=prospect, **kw
        ),
        initial=_deal_initial(request, deal),
        save=lambda data: _deal_save(request, deal, prospect, data),
        done=lambda saved: next_page(request, saved),
        template="outreach/crm/deal_form.html",
        context={"deal": deal, "prospect": prospect, "tag_names": _tag_names(request)},
    )


def _deal_save(
    request: MemberRequest, deal: Deal | None, prospect: Prospect | None, data: dict
) -> Deal:
    workspace = request.workspace
    owner = member_user(workspace=workspace, user_id=data["owner"], field="owner")
    contact = None
    if data.get("contact"):
        contact = Contact.objects.filter(workspace=workspace, pk=data["contact"]).first()
        if contact is None:
            raise ValidationFailed.for_field("contact", "No such contact in this workspace.")
    if deal is not None:
        stage = selectors.stage_in_pipeline(pipeline_id=deal.pipeline_id, stage_id=data["stage"])
        changes = {"name": data["name"], "value": data["value"], "owner": owner}
        if "contact" in data:
            changes["contact"] = contact
        deal_services.deal_update(deal=deal, changes=changes, tags=data["tags"], stage=stage)
        return deal
    stage = _stage_in_workspace(request, data["stage"])
    return deal_services.deal_create(
        workspace=workspace,
        pipeline=stage.pipeline,
        stage=stage,
        prospect=prospect or _prospect_named(request, data["prospect"]),
        contact=contact,
        name=data["name"],
        value=data["value"],
        owner=owner,
        tags=data["tags"],
    )


def _deal_initial(request: MemberRequest, deal: Deal | None) -> dict[str, Any]:
    if deal is None:
        stage = request.GET.get("stage", "")
        return {"stage": int(stage) if stage.isdigit() else None, "owner": request.user.pk}
    return {
        "name": deal.name,
        "stage": deal.stage_id,
        "contact": deal.contact_id,
        "value": deal.value,
        "owner": deal.owner_id,
        "tags": [tag.name for tag in deal.tags.all()],
    }


def _pipelines_for(request: MemberRequest, deal: Deal | None) -> list[Pipeline]:
    """A new deal may go to any pipeline's stage; a deal moves only within its own."""
    pipelines = selectors.pipeline_list(workspace=request.workspace)
    if deal is not None:
        pipelines = pipelines.filter(pk=deal.pipeline_id)
    return list(pipelines)


@member_required
@require_http_methods(["GET", "POST"])
def deal_delete(request: MemberRequest, deal_id: int) -> HttpResponse:
    deal = deal_or_404(request, deal_id)
    if request.method == "POST":
        deal_services.deal_delete(deal=deal)
        messages.success(request, f"Deleted {deal.name}.")
        return redirect(next_page(request, None, fallback=deal.prospect_id))
    return confirm_delete(
        request,
        name=deal.name,
        consequences=[
            f"A ${deal.value:,.0f} deal in {deal.pipeline.name} · {deal.stage.name}, "
            f"for {deal.prospect.name}."
        ],
        cancel_url=reverse("crm:prospect_detail", args=[deal.prospect_id]),
    )


@member_required
@require_http_methods(["GET", "POST"])
def deal_stage(request: MemberRequest, deal_id: int) -> HttpResponse:
    """The deal's stage on the prospect page, changed in place."""
    deal = deal_or_404(request, deal_id)
    if not request.htmx:
        return redirect("crm:deal_edit", deal_id=deal.pk)
    context: dict[str, Any] = {"deal": deal}
    if request.method == "GET":
        context["editing"] = not request.GET.get("show")
        return render(request, "outreach/crm/partials/deal_item.html", context)
    stage_id = request.POST.get("stage", "")
    try:
        stage = selectors.stage_in_pipeline(
            pipeline_id=deal.pipeline_id, stage_id=int(stage_id) if stage_id.isdigit() else 0
        )
        if stage is None:
            raise ValidationFailed.for_field("stage", "Choose a stage.")
        deal_services.deal_move_stage(deal=deal, stage=stage)
    except ApplicationError as exc:
        context.update(editing=True, error=exc.message)
        return render(request, "outreach/crm/partials/deal_item.html", context, status=422)
    return render(request, "outreach/crm/partials/deal_item.html", context)


def deal_or_404(request: MemberRequest, deal_id: int) -> Deal:
    deal = (
        Deal.objects.select_related("pipeline", "stage", "prospect", "contact")
        .prefetch_related("tags", "pipeline__stages")
        .filter(workspace=request.workspace, pk=deal_id)
        .first()
    )
    if deal is None:
        raise Http404("No such deal.")
    return deal


def next_page(request: HttpRequest, deal: Deal | None, fallback: int | None = None) -> str:
    """Back to the board when the deal was opened from it, else to its prospect's page."""
    if request.GET.get("from") == "board":
        pipeline = f"?pipeline={deal.pipeline_id}" if deal else ""
        return reverse("crm:deal_board") + pipeline
    prospect_id = deal.prospect_id if deal else fallback
    return reverse("crm:prospect_detail", args=[prospect_id])


# --- Shared ---------------------------------------------------------------------------------


def record_editor(
    request: HttpRequest,
    *,
    form: Callable[..., forms.Form],
    initial: dict[str, Any],
    save: Callable[[dict[str, Any]], R],
    done: Callable[[R], str],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The page that creates or edits a record. GET: `form()` filled with `initial`. POST: the
    form read, `save(cleaned_data)` (one service call) and off to `done(record)`; or the form
    again, with what the service refused next to the fields it is about (422)."""
    status = 200
    if request.method == "POST":
        bound = form(request.POST)
        if bound.is_valid():
            try:
                saved = save(bound.cleaned_data)
            except ApplicationError as exc:
                show_errors(bound, exc)
            else:
                messages.success(request, f"Saved {saved}.")
                return redirect(done(saved))
        status = 422
    else:
        bound = form(initial=initial)
    return render(request, template, {**context, "form": bound}, status=status)


def _prospect_param(request: MemberRequest) -> Prospect:
    """The prospect a page was opened for (`?prospect=<id>`), in the rep's workspace."""
    prospect_id = request.GET.get("prospect", "")
    prospect = (
        Prospect.objects.filter(workspace=request.workspace, pk=int(prospect_id)).first()
        if prospect_id.isdigit() and len(prospect_id) < 19
        else None
    )
    if prospect is None:
        raise Http404("No such prospect.")
    return prospect


def _prospect_named(request: MemberRequest, name: str) -> Prospect:
    """The one prospect of the workspace with this name (any case), as typed in a Company
    field."""
    matches = list(
        Prospect.objects.filter(workspace=request.workspace, name__iexact=name.strip())[:2]
    )
    if not matches:
        raise ValidationFailed.for_field(
            "prospect", f"No prospect is named {name!r}; create it first."
        )
    if len(matches) > 1:
        raise ValidationFailed.for_field(
            "prospect",
            f"Several prospects are named {name!r}: add this from that prospect's page.",
        )
    return matches[0]


def _stage_in_workspace(request: MemberRequest, stage_id: int) -> Stage:
    stage = (
        Stage.objects.select_related("pipeline")
        .filter(pipeline__workspace=request.workspace, pk=stage_id)
        .first()
    )
    if stage is None:
        raise ValidationFailed.for_field("stage", "No such stage in this workspace.")
    return stage


def _tag_names(request: MemberRequest) -> list[str]:
    """The workspace's tags, offered as suggestions in the tag fields."""
    return list(request.workspace.tags.order_by("name").values_list("name", flat=True)[:200])


@cache
def _time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def confirm_delete(
    request: HttpRequest,
    *,
    name: str,
    consequences: list[str],
    cancel_url: str,
    refused: str = "",
) -> HttpResponse:
    """The page that asks before a delete, saying what goes with the record (or, `refused`,
    why it cannot go yet)."""
    return render(
        request,
        "outreach/crm/confirm_delete.html",
        {
            "name": name,
            "consequences": [c for c in consequences if c],
            "cancel_url": cancel_url,
            "refused": refused,
        },
    )


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    if not n:
        return ""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
