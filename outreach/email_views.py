"""Public pages behind the links in sequence emails: the open pixel, tracked clicks, and
unsubscribing. No sign-in: each link's signature is its permission."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from outreach import email_links
from outreach.models import Contact
from outreach.services import email_tracking

# The smallest transparent GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@never_cache
def email_open(request: HttpRequest, token: str) -> HttpResponse:
    step_id = email_links.read_open(token)
    if step_id is not None:
        email_tracking.email_open_record(step_id=step_id)
    # Always the image, so a mail app never shows a broken picture.
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
def email_click(request: HttpRequest, token: str) -> HttpResponse:
    link = email_links.read_click(token)
    if link is None:
        raise Http404("This link is not valid.")
    step_id, url = link
    email_tracking.email_click_record(step_id=step_id, url=url)
    return HttpResponseRedirect(url)


# Mail apps unsubscribe with a bare POST (RFC 8058 one-click), which carries no CSRF token;
# the signed link is what authorises it, and it can only ever opt out its own contact.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    contact_id = email_links.read_unsubscribe(token)
    contact = (
        Contact.objects.select_related("workspace").filter(pk=contact_id).first()
        if contact_id is not None
        else None
    )
    if contact is None:
        return render(request, "outreach/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        contact = email_tracking.contact_unsubscribe(contact_id=contact.pk)
    done = contact.outreach_status == Contact.OutreachStatus.OPTED_OUT
    return render(request, "outreach/unsubscribe.html", {"contact": contact, "done": done})
