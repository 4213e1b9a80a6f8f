"""The wizard: the public pages a prospect opens from their link (no sign-in, and nothing but
their own), and the dashboard actions that give and revoke links."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from outreach.crm.services.engagement_triggers import call_contact_for
from outreach.crm.views import prospect_or_404
from outreach.meetings import selectors as meeting_selectors
from outreach.meetings import views as booking
from outreach.models import WizardLink
from outreach.wizard import content as wizard_content
from outreach.wizard import greetings, research, videos
from outreach.wizard import services as wizard_services
from outreach.wizard.ratelimit import FailureBudget
from outreach.wizard.report import prospect_report_file
from outreach.workspaces.access import member_required

NEXT_LABELS = {1: "Start", 2: "Next: your video", 3: "Next steps"}
# The last step shows the first free times of the prospect's rep; the booking page has more.
WIZARD_SLOTS_SHOWN = 12


def _token_misses() -> FailureBudget:
    return FailureBudget(
        "wizard-token",
        limit=settings.WIZARD_TOKEN_MISSES_PER_WINDOW,
        window=settings.WIZARD_TOKEN_MISS_WINDOW_SECONDS,
    )


@require_safe
def wizard_step(request: HttpRequest, token: str, step: int = 1) -> HttpResponse:
    link = _live_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    steps = wizard_content.STEPS
    if not 1 <= step <= len(steps):
        return _refusal(request, "outreach/wizard/not_found.html", status=404)
    if _is_a_real_view(request):
        wizard_services.wizard_step_view(link=link, step=step)
    prospect = link.prospect
    current = steps[step - 1]
    context = {
        "prospect": prospect,
        "sender": wizard_content.sender(link=link),
        "step": current,
        "steps": [(s, _step_url(token, s.number)) for s in steps],
        "reached": max(link.session.max_step, step),
        "step_template": f"outreach/wizard/steps/{current.name}.html",
        "prev_url": _step_url(token, step - 1) if step > 1 else "",
        "next_url": _step_url(token, step + 1) if step < len(steps) else "",
        "next_label": NEXT_LABELS.get(step, "Next"),
        "report_url": reverse("wizard:wizard_report", args=[token]),
        "video_play_url": reverse("wizard:wizard_video_play", args=[token]),
        "video_watched_url": reverse("wizard:wizard_video_watched", args=[token]),
        "facts": wizard_content.prospect_facts(prospect=prospect),
        "topics": wizard_content.prospect_topics(prospect=prospect),
        # The video step plays this when the prospect's video is ready (url, poster_url).
        "video": videos.wizard_video(prospect=prospect),
    }
    if current.name == "welcome":
        context["greeting"] = greetings.friendly_message(
            contact=call_contact_for(prospect=prospect)
        )
    if current.name == "about":
        context["research"] = research.prospect_research(prospect=prospect)
    if current.name == "next":
        target = _booking_target(link)
        if target is not None:
            context["booking"] = booking.slot_picker_context(
                request, target, limit=WIZARD_SLOTS_SHOWN
            )
    return booking.private_page(render(request, "outreach/wizard/step.html", context))


@require_safe
def wizard_slots(request: HttpRequest, token: str) -> HttpResponse:
    """The free slots of the prospect's rep in the zone the prospect picked (?tz=)."""
    link = _live_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    target = _booking_target(link)
    if target is None:
        raise Http404("No one to book with.")
    context = booking.slot_picker_context(request, target, limit=WIZARD_SLOTS_SHOWN)
    return booking.private_page(
        render(request, "outreach/meetings/partials/slot_list.html", context)
    )


@require_http_methods(["GET", "HEAD", "POST"])
def wizard_book(request: HttpRequest, token: str) -> HttpResponse:
    """Book the slot the prospect picked with their rep: the form, then the booking."""
    link = _live_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    target = _booking_target(link)
    if target is None:
        return redirect("wizard:wizard_step", token, len(wizard_content.STEPS))
    extra = {
        "prospect": link.prospect,
        "sender": wizard_content.sender(link=link),
        "report_url": reverse("wizard:wizard_report", args=[token]),
    }
    response = booking.book(request, target, template="outreach/wizard/book.html", extra=extra)
    return booking.private_page(response)


def _booking_target(link: WizardLink) -> booking.BookingTarget | None:
    """Booking with the prospect's rep (their owner); None for a prospect nobody owns."""
    owner = link.prospect.owner
    if owner is None or not link.workspace.memberships.filter(user=owner).exists():
        return None
    workspace = link.workspace
    contact = call_contact_for(prospect=link.prospect)
    token = link.token
    return booking.BookingTarget(
        page=meeting_selectors.booking_page_for(workspace=workspace, user=owner),
        meeting_type=meeting_selectors.meeting_types_for(workspace=workspace, user=owner)[0],
        pick_url=_step_url(token, len(wizard_content.STEPS)),
        book_url=reverse("wizard:wizard_book", args=[token]),
        slots_url=reverse("wizard:wizard_slots", args=[token]),
        prospect=link.prospect,
        wizard_link=link,
        default_zone=contact.effective_time_zone if contact is not None else "",
    )


@csrf_exempt  # sent with navigator.sendBeacon; the secret token is the credential
@require_POST
def wizard_video_play(request: HttpRequest, token: str) -> HttpResponse:
    """The prospect pressed play on their video: engagement activity, once per half hour."""
    link = _live_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    video = videos.wizard_video(prospect=link.prospect)
    if video is not None:
        wizard_services.wizard_video_play(link=link, video=video)
    return booking.private_page(HttpResponse(status=204))


@csrf_exempt  # sent with navigator.sendBeacon; the secret token is the credential
@require_POST
def wizard_video_watched(request: HttpRequest, token: str) -> HttpResponse:
    """How much of their video the prospect watched: `watched`, the furthest point they reached
    as a share of its length. A value that is no share is refused."""
    link = _live_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    try:
        share = float(request.POST.get("watched", ""))
    except ValueError:
        return booking.private_page(HttpResponse(status=400))
    if not 0 <= share <= 1:  # also refuses NaN
        return booking.private_page(HttpResponse(status=400))
    video = videos.wizard_video(prospect=link.prospect)
    if video is not None:
        wizard_services.wizard_video_watched(link=link, video=video, share=share)
    return booking.private_page(HttpResponse(status=204))


@require_safe
def wizard_report(request: HttpRequest, token: str) -> HttpResponseBase:
    link = _live_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    pdf = prospect_report_file(link=link)
    if _is_a_real_view(request):
        wizard_services.wizard_pdf_download(link=link)
    # Streamed from the storage (with sendfile under gunicorn), never read into memory.
    response = FileResponse(
        pdf,
        as_attachment=True,
        filename=f"{slugify(link.prospect.name) or 'your'}-report.pdf",
        content_type="application/pdf",
    )
    return booking.private_page(response)


def _live_link(request: HttpRequest, token: str) -> WizardLink | HttpResponse:
    """The link, or the page to answer instead: 429 once this client guessed too often, else a
    404 that does not say whether the link never existed or was revoked."""
    misses = _token_misses()
    if misses.exhausted(request):
        response = _refusal(request, "outreach/wizard/rate_limited.html", status=429)
        response["Retry-After"] = str(misses.retry_after())
        return response
    link = wizard_content.active_link(token=token)
    if link is None:
        misses.spend(request)
        return _refusal(request, "outreach/wizard/not_found.html", status=404)
    return link


def _is_a_real_view(request: HttpRequest) -> bool:
    # HEAD requests (link checkers) and browser prefetches are nobody looking at the page.
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return request.method == "GET" and "prefetch" not in purpose.lower()


def _step_url(token: str, number: int) -> str:
    if number == 1:
        return reverse("wizard:wizard_home", args=[token])
    return reverse("wizard:wizard_step", args=[token, number])


def _refusal(request: HttpRequest, template: str, *, status: int) -> HttpResponse:
    return booking.private_page(render(request, template, status=status))


# --- Links, from the prospect's page in the dashboard ---------------------------------------


@member_required
@require_POST
def wizard_link_create(request: HttpRequest, prospect_id: int) -> HttpResponse:
    prospect = prospect_or_404(request, prospect_id)
    wizard_services.wizard_link_create(prospect=prospect, by=request.user)
    messages.success(request, f"New wizard link for {prospect.name}: copy it into your message.")
    return redirect(f"{reverse('crm:prospect_detail', args=[prospect.pk])}#wizard-links")


@member_required
@require_POST
def wizard_link_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    link = (
        WizardLink.objects.select_related("prospect")
        .filter(workspace=request.workspace, pk=link_id)
        .first()
    )
    if link is None:
        raise Http404("No such wizard link.")
    wizard_services.wizard_link_revoke(link=link)
    messages.success(request, f"The wizard link for {link.prospect.name} no longer opens.")
    return redirect(f"{reverse('crm:prospect_detail', args=[link.prospect_id])}#wizard-links")
