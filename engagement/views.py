"""Dashboard pages of engagement scoring: counts and the list, one contact's score with its
override and history, and the workspace's thresholds."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.errors import ApplicationError, NotFound
from config.pagination import dashboard_page
from engagement import selectors, services
from engagement.forms import EngagementFilterForm, EngagementSettingsForm, OverrideForm
from engagement.models import EngagementLevel
from outreach.models import Contact
from outreach.workspaces.access import admin_required, member_required


@member_required
def engagement_overview(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    form = EngagementFilterForm(request.GET or None)
    engagements = selectors.engagement_list(workspace=workspace, **form.filters())
    counts = selectors.level_counts(workspace=workspace)
    return render(
        request,
        "engagement/overview.html",
        {
            "form": form,
            "page": dashboard_page(request, engagements),
            "level_counts": [(EngagementLevel(level), n) for level, n in counts.items()],
            "scored_count": sum(counts.values()),
            "unscored_count": selectors.unscored_contact_count(workspace=workspace),
        },
    )


@member_required
def engagement_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    return render(
        request, "engagement/detail.html", _detail_context(request, contact, OverrideForm())
    )


@member_required
@require_POST
def engagement_recompute(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    engagement = services.engagement_compute_contact(contact=contact)
    messages.success(request, f"Recomputed: {engagement.get_computed_level_display()}.")
    return redirect("engagement:engagement_detail", contact_id=contact.pk)


@admin_required
@require_POST
def engagement_recompute_all(request: HttpRequest) -> HttpResponse:
    services.engagement_compute_workspace_soon(workspace=request.workspace)
    messages.success(request, "Scoring every contact now; refresh in a minute to see it.")
    return redirect("engagement:engagement_overview")


@admin_required
@require_POST
def engagement_override(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            engagement = services.engagement_override_set(
                contact=contact,
                level=form.cleaned_data["level"],
                notes=form.cleaned_data["notes"],
                expires_at=form.cleaned_data["expires_at"],
                by=request.user,
            )
        except ApplicationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Level set to {engagement.get_level_display()}.")
            return redirect("engagement:engagement_detail", contact_id=contact.pk)
    context = _detail_context(request, contact, form)
    return render(request, "engagement/detail.html", context, status=422)


@admin_required
@require_POST
def engagement_override_clear(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    try:
        engagement = services.engagement_override_clear(contact=contact, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Override cleared: back to {engagement.get_level_display()}.")
    return redirect("engagement:engagement_detail", contact_id=contact.pk)


@admin_required
def engagement_thresholds(request: HttpRequest) -> HttpResponse:
    row = selectors.engagement_settings_for(workspace=request.workspace)
    form = EngagementSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.engagement_settings_update(
                workspace=request.workspace, changes=changes, by=request.user
            )
        except ApplicationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Thresholds saved. Tomorrow's scores use them.")
            return redirect("engagement:engagement_thresholds")
    status = 422 if form.errors else 200
    return render(request, "engagement/thresholds.html", {"form": form}, status=status)


def _contact_or_404(request: HttpRequest, contact_id: int) -> Contact:
    try:
        return selectors.contact_in_workspace(workspace=request.workspace, contact_id=contact_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _detail_context(request: HttpRequest, contact: Contact, form: OverrideForm) -> dict:
    engagement = selectors.engagement_for_contact(contact=contact)
    history = selectors.override_history(contact=contact)[:50]
    if engagement and engagement.is_overridden and not form.is_bound:
        form.initial = {"level": engagement.override_level}
    return {
        "contact": contact,
        "engagement": engagement,
        "history": history,
        "override_form": form,
    }


def _add_errors(form, exc: ApplicationError) -> None:
    if not exc.field_errors:
        form.add_error(None, exc.message)
    for field, errors in exc.field_errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
