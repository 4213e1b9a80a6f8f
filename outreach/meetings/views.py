"""Meeting pages: a rep's public booking page, the invitee's page to cancel or move a meeting
(no sign-in: the token in its address is the key), and the rep's meetings and booking set-up.

The booking steps (pick a time in your zone, then give your name and email) are shared with
the wizard, which books with the prospect's rep from its last step."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.errors import ApplicationError
from outreach.meetings import selectors
from outreach.meetings.forms import BookingForm, HoursForm, MeetingTypeForm
from outreach.meetings.invitations import when
from outreach.meetings.services import booking as booking_services
from outreach.meetings.services import pages as page_services
from outreach.models import BookingPage, Meeting, MeetingType, Prospect, WizardLink
from outreach.workspaces.access import member_required, next_url

# --- Shared by the booking page and the wizard -----------------------------------------------

# A page, or a file streamed from a wizard (the PDF report).
PageResponse = TypeVar("PageResponse", bound=HttpResponseBase)


@dataclass(frozen=True)
class BookingTarget:
    """What a booking is for: the rep's page and meeting type, and, from a wizard, the
    prospect and their link. `pick_url` is the page to pick a time on, `book_url` the form a
    slot leads to, and `slots_url` answers the slot list for another zone."""

    page: BookingPage
    meeting_type: MeetingType
    pick_url: str
    book_url: str
    slots_url: str
    prospect: Prospect | None = None
    wizard_link: WizardLink | None = None
    default_zone: str = ""

    @property
    def host_name(self) -> str:
        return self.page.user.get_full_name() or self.page.user.get_username()

    @property
    def team(self) -> str:
        return self.page.workspace.name


def viewer_zone(request: HttpRequest, target: BookingTarget) -> str:
    """The zone the viewer picked (?tz=, or the form's), else the best guess we have."""
    chosen = request.POST.get("tz") or request.GET.get("tz") or ""
    if selectors.is_time_zone(chosen):
        return chosen
    return target.default_zone or target.page.time_zone


def slot_picker_context(
    request: HttpRequest, target: BookingTarget, *, limit: int = selectors.SLOTS_SHOWN
) -> dict[str, Any]:
    """The free slots in the viewer's zone, as the slot list template shows them."""
    zone = viewer_zone(request, target)
    slots = selectors.open_slots(page=target.page, meeting_type=target.meeting_type, limit=limit)
    return {
        "target": target,
        "team": target.team,
        "zone": zone,
        "zone_chosen": bool(request.GET.get("tz")),
        "zones": selectors.time_zone_names(),
        "slot_days": slot_days(slots, zone=zone, book_url=target.book_url),
    }


def slot_days(slots: list[datetime], *, zone: str, book_url: str) -> list[dict[str, Any]]:
    return [
        {
            "day": day.day,
            "slots": [
                (label, f"{book_url}?{urlencode({'start': iso(start), 'tz': zone})}")
                for start, label in day.slots
            ],
        }
        for day in selectors.slots_by_day(slots, zone=zone)
    ]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def book(
    request: HttpRequest, target: BookingTarget, *, template: str, extra: dict
) -> HttpResponse:
    """The booking form for the slot in ?start= (GET), and the booking itself (POST).

    A slot someone else took meanwhile answers 409 with the next free slots to pick from."""
    zone = viewer_zone(request, target)
    start = _start(request)
    if start is None:
        return redirect(target.pick_url)
    form = BookingForm(request.POST or None, initial={"start": iso(start), "tz": zone})
    context = {
        **extra,
        "target": target,
        "team": target.team,
        "zone": zone,
        "zones": selectors.time_zone_names(),
        "form": form,
        "start_label": _slot_label(start, target, zone),
        "alternatives": [],
    }
    if request.method == "POST" and form.is_valid():
        invitee = booking_services.Invitee(
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            time_zone=zone,
            note=form.cleaned_data["note"],
        )
        try:
            meeting = booking_services.meeting_book(
                page=target.page,
                meeting_type=target.meeting_type,
                start_at=start,
                invitee=invitee,
                prospect=target.prospect,
                wizard_link=target.wizard_link,
            )
        except booking_services.SlotTaken as taken:
            context["taken"] = taken.message
            context["alternatives"] = slot_days(
                taken.alternatives, zone=zone, book_url=target.book_url
            )
            return render(request, template, context, status=409)
        except ApplicationError as error:
            for field, errors in error.field_errors.items():
                form.add_error(field if field in form.fields else None, errors)
            if not error.field_errors:
                form.add_error(None, error.message)
            return render(request, template, context, status=422)
        return redirect(f"{reverse('meetings:manage', args=[meeting.manage_token])}?booked=1")
    return render(request, template, context, status=422 if form.errors else 200)


def _start(request: HttpRequest) -> datetime | None:
    raw = request.POST.get("start") or request.GET.get("start") or ""
    try:
        moment = parse_datetime(raw) if len(raw) <= 40 else None
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


def _slot_label(start: datetime, target: BookingTarget, zone: str) -> str:
    local = start.astimezone(zoneinfo.ZoneInfo(zone))
    length = target.meeting_type.duration_minutes
    return (
        f"{local:%A, %B} {local.day}, {selectors.local_time_label(local)} "
        f"({length} minutes, {zone})"
    )


# --- A rep's public booking page ---------------------------------------------------------------


def _page_or_404(slug: str) -> BookingPage:
    page = selectors.booking_page_by_slug(slug=slug) if len(slug) <= 40 else None
    if page is None or not page.workspace.memberships.filter(user=page.user).exists():
        raise Http404("No such booking page.")
    return page


def _target(page: BookingPage, meeting_type: MeetingType) -> BookingTarget:
    args = [page.slug, meeting_type.slug]
    slots_url = reverse("meetings:slots", args=args)
    return BookingTarget(
        page=page,
        meeting_type=meeting_type,
        pick_url=slots_url,
        book_url=reverse("meetings:book", args=args),
        slots_url=slots_url,
    )


@require_safe
def booking_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = _page_or_404(slug)
    types = selectors.meeting_types_for(workspace=page.workspace, user=page.user)
    if len(types) == 1:
        return redirect("meetings:slots", slug, types[0].slug)
    return private_page(
        render(
            request,
            "outreach/meetings/booking_page.html",
            {"page": page, "types": types, "team": page.workspace.name},
        )
    )


def _target_or_404(slug: str, type_slug: str) -> BookingTarget:
    page = _page_or_404(slug)
    meeting_type = selectors.meeting_type_for(
        workspace=page.workspace, user=page.user, slug=type_slug
    )
    if meeting_type is None:
        raise Http404("No such meeting type.")
    return _target(page, meeting_type)


@require_safe
def booking_slots(request: HttpRequest, slug: str, type_slug: str) -> HttpResponse:
    context = slot_picker_context(request, _target_or_404(slug, type_slug))
    if request.headers.get("X-Slots") == "1":
        return private_page(render(request, "outreach/meetings/partials/slot_list.html", context))
    return private_page(render(request, "outreach/meetings/booking_slots.html", context))


@require_http_methods(["GET", "HEAD", "POST"])
def booking_book(request: HttpRequest, slug: str, type_slug: str) -> HttpResponse:
    target = _target_or_404(slug, type_slug)
    return private_page(
        book(request, target, template="outreach/meetings/booking_form.html", extra={})
    )


# --- The invitee's page: see, cancel or move the meeting ------------------------------------


def _meeting_or_404(token: str) -> Meeting:
    meeting = selectors.meeting_by_manage_token(token=token)
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


@require_safe
def manage(request: HttpRequest, token: str) -> HttpResponse:
    meeting = _meeting_or_404(token)
    zone = meeting.invitee_time_zone
    context = {
        "meeting": meeting,
        "team": meeting.workspace.name,
        "when": when(meeting, zone),
        "just_booked": request.GET.get("booked") == "1" and meeting.is_live,
        "host_name": meeting.host.get_full_name() or meeting.host.get_username(),
    }
    return private_page(render(request, "outreach/meetings/manage.html", context))


@require_POST
def manage_cancel(request: HttpRequest, token: str) -> HttpResponse:
    meeting = _meeting_or_404(token)
    booking_services.meeting_cancel(
        meeting=meeting, by_invitee=True, reason=request.POST.get("reason", "")[:500]
    )
    return redirect("meetings:manage", token)


@require_http_methods(["GET", "HEAD", "POST"])
def manage_reschedule(request: HttpRequest, token: str) -> HttpResponse:
    """Pick another time (GET lists the free slots, POST moves the meeting there)."""
    meeting = _meeting_or_404(token)
    if not meeting.is_live:
        return redirect("meetings:manage", token)
    page = selectors.booking_page_for(workspace=meeting.workspace, user=meeting.host)
    meeting_type = (
        meeting.meeting_type
        or selectors.meeting_types_for(workspace=meeting.workspace, user=meeting.host)[0]
    )
    url = reverse("meetings:reschedule", args=[token])
    target = BookingTarget(
        page=page,
        meeting_type=meeting_type,
        pick_url=url,
        book_url=url,
        slots_url=url,
        default_zone=meeting.invitee_time_zone,
    )
    zone = viewer_zone(request, target)
    context: dict[str, Any] = {
        "meeting": meeting,
        "zone": zone,
        "target": target,
        "team": meeting.workspace.name,
    }
    start = _start(request)
    if request.method == "POST" and start is not None:
        try:
            booking_services.meeting_reschedule(meeting=meeting, start_at=start)
        except booking_services.SlotTaken as taken:
            context["taken"] = taken.message
            context["slot_days"] = slot_days(taken.alternatives, zone=zone, book_url=url)
            return private_page(
                render(request, "outreach/meetings/reschedule.html", context, status=409)
            )
        return redirect("meetings:manage", token)
    if start is not None:
        context["start"] = iso(start)
        context["start_label"] = _slot_label(start, target, zone)
    slots = selectors.open_slots(page=page, meeting_type=meeting_type, excluding=meeting.pk)
    context["zones"] = selectors.time_zone_names()
    context["slot_days"] = slot_days(slots, zone=zone, book_url=url)
    if request.headers.get("X-Slots") == "1":
        return private_page(render(request, "outreach/meetings/partials/slot_list.html", context))
    return private_page(render(request, "outreach/meetings/reschedule.html", context))


def private_page(response: PageResponse) -> PageResponse:
    """A page whose address is its only key (a wizard or meeting link): kept out of caches,
    search engines and the Referer header of any link followed to another site."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # "same-origin", not "no-referrer": the booking forms' POSTs must carry their Origin
    # for the CSRF check, and no other site ever sees the address.
    response["Referrer-Policy"] = "same-origin"
    return response


# --- The rep's meetings and booking set-up (dashboard) ---------------------------------------


@member_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    workspace, user = request.workspace, request.user
    page = selectors.booking_page_for(workspace=workspace, user=user)
    return render(
        request,
        "outreach/meetings/meeting_list.html",
        {
            "upcoming": selectors.upcoming_meetings(workspace=workspace, host=user)[:50],
            "to_settle": selectors.meetings_to_settle(workspace=workspace, host=user)[:20],
            "booking_url": (
                request.build_absolute_uri(reverse("meetings:booking_page", args=[page.slug]))
                if page.pk
                else ""
            ),
            "page": page,
        },
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def booking_settings(request: HttpRequest) -> HttpResponse:
    workspace, user = request.workspace, request.user
    page = selectors.booking_page_for(workspace=workspace, user=user)
    hours_form = HoursForm(request.POST if request.POST.get("form") == "hours" else None, page=page)
    type_form = MeetingTypeForm(request.POST if request.POST.get("form") == "type" else None)
    if request.method == "POST":
        try:
            if hours_form.is_bound and hours_form.is_valid():
                page_services.booking_page_save(
                    workspace=workspace, user=user, **hours_form.to_service()
                )
                messages.success(request, "Your working hours are saved.")
                return redirect("meetings:settings")
            if type_form.is_bound and type_form.is_valid():
                page_services.meeting_type_create(
                    workspace=workspace, host=user, **type_form.cleaned_data
                )
                messages.success(request, f"{type_form.cleaned_data['name']} is on your page.")
                return redirect("meetings:settings")
        except ApplicationError as error:
            form = hours_form if hours_form.is_bound else type_form
            form.add_error(None, error.message)
    types = MeetingType.objects.filter(workspace=workspace, host=user).order_by("name")
    return render(
        request,
        "outreach/meetings/settings.html",
        {"page": page, "hours_form": hours_form, "type_form": type_form, "types": types},
        status=422 if request.method == "POST" else 200,
    )


@member_required
@require_POST
def meeting_outcome(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _own_meeting(request, meeting_id)
    outcome = request.POST.get("outcome", "")
    try:
        booking_services.meeting_settle(meeting=meeting, outcome=outcome, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        label = "held" if outcome == Meeting.Status.HELD else "a no-show"
        messages.success(request, f"{meeting.title} is marked {label}.")
    return redirect(_back(request))


@member_required
@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _own_meeting(request, meeting_id)
    booking_services.meeting_cancel(meeting=meeting, by_invitee=False)
    messages.success(request, f"{meeting.title} is cancelled; both sides are told.")
    return redirect(_back(request))


def _own_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("workspace", "host", "prospect", "contact")
        .filter(workspace=request.workspace, pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def _back(request: HttpRequest) -> str:
    return next_url(request, reverse("meetings:meeting_list"))
