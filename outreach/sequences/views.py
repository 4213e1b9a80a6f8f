"""Dashboard pages for sequences: the list, the editor, a sequence's enrollments, one
enrollment's steps (with pause, resume, stop and run-now), and enrolling from a prospect."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from config.pagination import dashboard_page
from outreach.crm.views import prospect_or_404
from outreach.mail.merge_fields import VARIABLES
from outreach.mail.selectors import shared_template_choices
from outreach.models import OutreachSequence, SequenceTemplate
from outreach.sequences import selectors as sequence_selectors
from outreach.sequences.forms import (
    EnrollForm,
    PauseForm,
    SequenceForm,
    StepFormSet,
    StopForm,
    formset_initial,
    show_step_errors,
    steps_from,
)
from outreach.sequences.services import enrollment as enrollment_services
from outreach.sequences.services import templates as template_services
from outreach.workspaces.access import member_required

ENROLLMENT_FILTERS = [("", "All"), *OutreachSequence.Status.choices]


@member_required
def sequence_list(request: HttpRequest) -> HttpResponse:
    sequences = sequence_selectors.sequence_template_list(workspace=request.workspace)
    page = dashboard_page(request, sequences)
    return render(request, "outreach/sequences/list.html", {"page": page})


@member_required
def sequence_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, template=None)


@member_required
def sequence_edit(request: HttpRequest, sequence_id: int) -> HttpResponse:
    return _edit(request, template=_template_or_404(request, sequence_id))


def _edit(request: HttpRequest, *, template: SequenceTemplate | None) -> HttpResponse:
    in_use = [step.email_template_id for step in template.steps.all()] if template else []
    step_kwargs = {
        "email_templates": shared_template_choices(
            workspace=request.workspace, also=[pk for pk in in_use if pk]
        )
    }
    if request.method == "POST":
        form = SequenceForm(request.POST)
        steps = StepFormSet(request.POST, prefix="steps", form_kwargs=step_kwargs)
        if form.is_valid() and steps.is_valid():
            try:
                template = _save(request, template, form.cleaned_data, steps_from(steps))
            except ApplicationError as exc:
                if not show_step_errors(steps, exc.field_errors):
                    form.add_error(None, exc.message)
            else:
                messages.success(request, f"Saved {template.name}.")
                return redirect("sequences:sequence_detail", sequence_id=template.pk)
        status = 422
    else:
        initial = {"name": template.name, "description": template.description} if template else {}
        form = SequenceForm(initial=initial)
        steps = StepFormSet(
            initial=formset_initial(template) if template else [],
            prefix="steps",
            form_kwargs=step_kwargs,
        )
        status = 200
    context = {
        "template": template,
        "form": form,
        "steps": steps,
        "variables": [f"{{{{{name}}}}}" for name in VARIABLES],
    }
    return render(request, "outreach/sequences/edit.html", context, status=status)


def _save(request: HttpRequest, template, data: dict, steps: list[dict]) -> SequenceTemplate:
    if template is None:
        return template_services.sequence_template_create(
            workspace=request.workspace,
            name=data["name"],
            description=data["description"],
            steps=steps,
            by=request.user,
        )
    return template_services.sequence_template_update(
        template=template, name=data["name"], description=data["description"], steps=steps
    )


@member_required
def sequence_detail(request: HttpRequest, sequence_id: int) -> HttpResponse:
    template = _template_or_404(request, sequence_id)
    status = request.GET.get("status", "")
    if status not in dict(ENROLLMENT_FILTERS):
        status = ""
    enrollments = sequence_selectors.enrollment_list(
        workspace=request.workspace, sequence_id=template.pk, status=status or None
    )
    page = dashboard_page(request, enrollments)
    rows = [(enrollment, sequence_selectors.current_step_state(enrollment)) for enrollment in page]
    return render(
        request,
        "outreach/sequences/detail.html",
        {
            "template": template,
            "page": page,
            "rows": rows,
            "status": status,
            "filters": ENROLLMENT_FILTERS,
        },
    )


@member_required
def enrollment_detail(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = _enrollment_or_404(request, enrollment_id)
    return render(
        request,
        "outreach/sequences/enrollment.html",
        {
            "enrollment": enrollment,
            "states": sequence_selectors.step_states(enrollment),
            "pause_form": PauseForm(),
            "stop_form": StopForm(),
        },
    )


@member_required
@require_POST
def enrollment_action(request: HttpRequest, enrollment_id: int, action: str) -> HttpResponse:
    enrollment = _enrollment_or_404(request, enrollment_id)
    try:
        message = _act(enrollment, action, request.POST)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("sequences:enrollment_detail", enrollment_id=enrollment.pk)


def _act(enrollment: OutreachSequence, action: str, data) -> str:
    if action == "pause":
        form = PauseForm(data)
        if not form.is_valid():
            raise ApplicationError("Pick a valid day to resume on.")
        data = form.cleaned_data
        enrollment_services.sequence_pause(
            sequence=enrollment, reason=data["reason"], until=data["until"]
        )
        return "Paused."
    if action == "resume":
        enrollment_services.sequence_resume(sequence=enrollment)
        return "Resumed."
    if action == "stop":
        form = StopForm(data)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        enrollment_services.sequence_stop(sequence=enrollment, reason=reason)
        return "Stopped."
    if action == "advance":
        step = enrollment_services.sequence_advance(sequence=enrollment)
        return f"Step {step.step_order} is {step.get_status_display().lower()}."
    raise Http404("No such action.")


@member_required
@require_POST
def prospect_enroll(request: HttpRequest, prospect_id: int) -> HttpResponse:
    prospect = prospect_or_404(request, prospect_id)
    panel = sequence_selectors.prospect_sequence_panel(
        workspace=request.workspace, prospect=prospect
    )
    form = EnrollForm(request.POST, prospect=prospect, sequences=panel["sequence_choices"])
    if not form.is_valid():
        messages.error(request, "Choose a sequence and at least one contact.")
        return redirect("crm:prospect_detail", prospect_id=prospect.pk)
    try:
        report = enrollment_services.sequence_enroll(
            template=form.cleaned_data["sequence"],
            contacts=form.cleaned_data["contacts"],
            by=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if report.enrolled:
            names = ", ".join(str(sequence.contact) for sequence in report.enrolled)
            messages.success(request, f"Enrolled {names} in {form.cleaned_data['sequence']}.")
        for _, reason in report.skipped:
            messages.error(request, reason)
    return redirect("crm:prospect_detail", prospect_id=prospect.pk)


def _template_or_404(request: HttpRequest, sequence_id: int) -> SequenceTemplate:
    templates = sequence_selectors.sequence_template_list(workspace=request.workspace)
    return _in_workspace_or_404(templates, sequence_id, "sequence")


def _enrollment_or_404(request: HttpRequest, enrollment_id: int) -> OutreachSequence:
    enrollments = sequence_selectors.enrollment_list(workspace=request.workspace)
    return _in_workspace_or_404(enrollments, enrollment_id, "enrollment")


def _in_workspace_or_404(queryset: QuerySet, pk: int, label: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No such {label}.")
    return found
