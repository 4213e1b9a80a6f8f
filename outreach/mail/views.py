"""Mail pages: a member's mailboxes (with the connection test), the template library, the
composer with its live preview; and the public pages behind the links in our emails (the open
pixel, tracked clicks, unsubscribing)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import ApplicationError
from outreach.mail import email_links, selectors
from outreach.mail.forms import ComposeForm, MailboxForm, TemplateForm, mailbox_initial
from outreach.mail.merge_fields import VARIABLES
from outreach.mail.messages import from_address
from outreach.mail.services import emails as email_services
from outreach.mail.services import mailboxes as mailbox_services
from outreach.mail.services import templates as template_services
from outreach.mail.services import tracking as email_tracking
from outreach.models import Contact, Mailbox
from outreach.workspaces.access import MemberRequest, member_required, next_url

# --- Mailboxes ---------------------------------------------------------------------------------


@member_required
def mailbox_list(request: MemberRequest) -> HttpResponse:
    mailboxes = selectors.mailbox_list(workspace=request.workspace, owner=request.user)
    return render(request, "outreach/mail/mailbox_list.html", {"mailboxes": mailboxes})


@member_required
def mailbox_create(request: MemberRequest) -> HttpResponse:
    return _mailbox_form(request, mailbox=None)


@member_required
def mailbox_edit(request: MemberRequest, mailbox_id: int) -> HttpResponse:
    return _mailbox_form(request, mailbox=_own_mailbox(request, mailbox_id))


def _mailbox_form(request: MemberRequest, *, mailbox: Mailbox | None) -> HttpResponse:
    initial = (
        mailbox_initial(mailbox) if mailbox else {"display_name": request.user.get_full_name()}
    )
    form = MailboxForm(request.POST or None, initial=initial, mailbox=mailbox)
    if request.method == "POST" and form.is_valid():
        passwords = form.passwords()
        try:
            if mailbox is None:
                mailbox = mailbox_services.mailbox_create(
                    workspace=request.workspace,
                    owner=request.user,
                    fields=form.settings(),
                    smtp_password=passwords["smtp_password"] or "",
                    imap_password=passwords["imap_password"] or "",
                )
            else:
                mailbox_services.mailbox_update(
                    mailbox=mailbox,
                    changes=form.settings(),
                    smtp_password=passwords["smtp_password"],
                    imap_password=passwords["imap_password"],
                )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Saved {mailbox.email}. Test the connection below.")
            return redirect("mail:mailbox_edit", mailbox_id=mailbox.pk)
    status = 422 if request.method == "POST" else 200
    identity = [form[name] for name in ("display_name", "email", "signature", "daily_limit")]
    context = {"form": form, "mailbox": mailbox, "identity_fields": identity}
    return render(request, "outreach/mail/mailbox_form.html", context, status=status)


@member_required
@require_POST
def mailbox_test(request: MemberRequest, mailbox_id: int) -> HttpResponse:
    mailbox = _own_mailbox(request, mailbox_id)
    checks = mailbox_services.mailbox_test(mailbox=mailbox)
    return render(
        request, "outreach/mail/partials/connection_checks.html", {"checks": checks, "tested": True}
    )


def _own_mailbox(request: MemberRequest, mailbox_id: int) -> Mailbox:
    mailbox = (
        selectors.mailbox_list(workspace=request.workspace, owner=request.user)
        .filter(pk=mailbox_id)
        .first()
    )
    if mailbox is None:
        raise Http404("No such mailbox.")
    return mailbox


def _form_error(form, exc: ApplicationError) -> None:
    placed = False
    for field, errors in exc.field_errors.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- Templates ---------------------------------------------------------------------------------


@member_required
def template_list(request: MemberRequest) -> HttpResponse:
    templates = selectors.template_list(workspace=request.workspace, user=request.user)
    return render(request, "outreach/mail/template_list.html", {"templates": templates})


@member_required
def template_create(request: MemberRequest) -> HttpResponse:
    return _template_form(request, template=None)


@member_required
def template_edit(request: MemberRequest, template_id: int) -> HttpResponse:
    return _template_form(request, template=_template_or_404(request, template_id))


def _template_form(request: MemberRequest, *, template) -> HttpResponse:
    initial = (
        {name: getattr(template, name) for name in ("name", "subject", "body", "shared")}
        if template
        else {}
    )
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if template is None:
                template = template_services.email_template_create(
                    workspace=request.workspace, by=request.user, **form.cleaned_data
                )
            else:
                template_services.email_template_update(
                    template=template,
                    changes=form.cleaned_data,
                    by=request.user,
                    is_admin=request.membership.is_admin,
                )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Saved the template {template.name}.")
            return redirect("mail:template_list")
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "template": template,
        "variables": [f"{{{{{name}}}}}" for name in VARIABLES],
    }
    return render(request, "outreach/mail/template_form.html", context, status=status)


@member_required
@require_POST
def template_delete(request: MemberRequest, template_id: int) -> HttpResponse:
    template = _template_or_404(request, template_id)
    try:
        template_services.email_template_delete(
            template=template, by=request.user, is_admin=request.membership.is_admin
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("mail:template_edit", template_id=template.pk)
    messages.success(request, f"Deleted the template {template.name}.")
    return redirect("mail:template_list")


def _template_or_404(request: MemberRequest, template_id: int):
    template = (
        selectors.template_list(workspace=request.workspace, user=request.user)
        .filter(pk=template_id)
        .first()
    )
    if template is None:
        raise Http404("No such template.")
    return template


# --- The composer ------------------------------------------------------------------------------


@member_required
def compose(request: MemberRequest) -> HttpResponse:
    """Write to a contact (`?contact=<id>` chooses them) from one of your mailboxes."""
    contact = _contact(request)
    if contact is None:
        return render(request, "outreach/mail/compose.html", {"composer": None}, status=404)
    composer = composer_context(request, contact, data=request.POST or None)
    form = composer["form"]
    if request.method == "POST" and form.is_valid():
        try:
            email = _send(request, form)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _sent_message(email))
            return redirect(
                next_url(request, reverse("crm:prospect_detail", args=[contact.prospect_id]))
            )
    status = 422 if request.method == "POST" else 200
    return render(request, "outreach/mail/compose.html", {"composer": composer}, status=status)


def composer_context(request: MemberRequest, contact: Contact, *, data=None) -> dict:
    """The composer for one contact of a prospect (its other contacts may be chosen), as the
    compose page and the prospect page's panel show it."""
    workspace = request.workspace
    contacts = list(contact.prospect.contacts.order_by("pk"))
    mailboxes = list(selectors.mailbox_list(workspace=workspace, owner=request.user))
    templates = list(selectors.template_list(workspace=workspace, user=request.user))
    default = next((m for m in mailboxes if m.is_default), mailboxes[0] if mailboxes else None)
    form = ComposeForm(
        data,
        contacts=contacts,
        mailboxes=mailboxes,
        templates=templates,
        initial={"contact": contact.pk, "mailbox": default.pk if default else None},
    )
    return {
        "form": form,
        "contact": contact,
        "mailboxes": mailboxes,
        "preview": _preview(request, form, contact, default) if mailboxes else None,
    }


@member_required
@require_POST
def compose_preview(request: MemberRequest) -> HttpResponse:
    """The live preview: the email as the chosen contact would get it."""
    contact = _contact(request)
    if contact is None:
        raise Http404("No such contact.")
    composer = composer_context(request, contact, data=request.POST)
    return render(request, "outreach/mail/partials/preview.html", {"preview": composer["preview"]})


@member_required
def compose_template(request: MemberRequest) -> HttpResponse:
    """The subject and body fields filled with the chosen template's text."""
    contact = _contact(request)
    if contact is None:
        raise Http404("No such contact.")
    composer = composer_context(request, contact, data=None)
    form = composer["form"]
    template_id = request.GET.get("template", "")
    template = (
        selectors.template_list(workspace=request.workspace, user=request.user)
        .filter(pk=int(template_id))
        .first()
        if template_id.isdigit() and len(template_id) < 19
        else None
    )
    if template is not None:
        form.initial.update(template=template.pk, subject=template.subject, body=template.body)
    response = render(request, "outreach/mail/partials/composer_text.html", {"form": form})
    # The composer refreshes its preview once the template's words are in place.
    response["HX-Trigger-After-Swap"] = "composer-text-changed"
    return response


def _contact(request: MemberRequest) -> Contact | None:
    raw = request.POST.get("contact") or request.GET.get("contact") or ""
    if not raw.isdigit() or len(raw) > 18:
        return None
    return (
        Contact.objects.select_related("prospect")
        .filter(workspace=request.workspace, pk=int(raw))
        .first()
    )


def _chosen(request: MemberRequest, form: ComposeForm):
    """The contact, mailbox and template the form names, each checked against what this
    member may use."""
    workspace = request.workspace
    data = form.cleaned_data
    contact = (
        Contact.objects.select_related("prospect")
        .filter(workspace=workspace, pk=data["contact"])
        .first()
    )
    mailbox = selectors.mailbox_to_send_from(
        workspace=workspace, user=request.user, mailbox_id=data["mailbox"]
    )
    template = (
        selectors.template_list(workspace=workspace, user=request.user)
        .filter(pk=data["template"])
        .first()
        if data.get("template")
        else None
    )
    if contact is None:
        raise Http404("No such contact.")
    return contact, mailbox, template


def _send(request: MemberRequest, form: ComposeForm):
    contact, mailbox, template = _chosen(request, form)
    send_at = form.cleaned_data.get("send_at")
    return email_services.email_create(
        workspace=request.workspace,
        mailbox=mailbox,
        contact=contact,
        template=template,
        subject=form.cleaned_data["subject"],
        body=form.cleaned_data["body"],
        send_at=send_at,
        by=request.user,
    )


def _preview(request: MemberRequest, form: ComposeForm, contact: Contact, default):
    if form.is_bound and form.is_valid():
        try:
            contact, mailbox, template = _chosen(request, form)
        except ApplicationError as exc:
            return {"problems": [exc.message]}
        subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
    else:
        mailbox, template = default, None
        subject = form.initial.get("subject", "")
        body = form.initial.get("body", "")
    written = email_services.email_write(
        mailbox=mailbox, contact=contact, subject=subject, body=body, template=template
    )
    refusal = email_services.contact_refusal(contact)
    return {
        "from_email": from_address(mailbox, None),
        "to": f"{contact} <{contact.email}>",
        "subject": written.subject,
        "body": written.body,
        # Nothing written yet: the preview says what it will show rather than a blank email.
        "written": bool(subject or body or template),
        "problems": ([refusal] if refusal else []) + (written.problems if form.is_bound else []),
    }


def _sent_message(email) -> str:
    if email.status == email.Status.SCHEDULED:
        when = timezone.localtime(email.send_at)
        return f"Scheduled “{email.subject}” for {when:%a %b %-d, %H:%M}."
    return f"Sending “{email.subject}” to {email.contact}."


@member_required
@require_POST
def email_cancel(request: MemberRequest, email_id: int) -> HttpResponse:
    return _email_action(request, email_id, email_services.email_cancel, "Cancelled.")


@member_required
@require_POST
def email_retry(request: MemberRequest, email_id: int) -> HttpResponse:
    return _email_action(request, email_id, email_services.email_retry, "Sending it again.")


def _email_action(request: MemberRequest, email_id: int, action, done: str) -> HttpResponse:
    email = selectors.email_list(workspace=request.workspace).filter(pk=email_id).first()
    if email is None:
        raise Http404("No such email.")
    try:
        action(email=email)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(next_url(request, reverse("crm:prospect_detail", args=[email.prospect_id])))


# --- Public: the links inside our emails (no sign-in: each link's signature is its
# permission) ----------------------------------------------------------------------------------

# The smallest transparent GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@never_cache
def email_open(request: HttpRequest, token: str) -> HttpResponse:
    tracked = email_links.read_open(token)
    if tracked is not None:
        email_tracking.email_open_record(tracked=tracked)
    # Always the image, so a mail app never shows a broken picture.
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
def email_click(request: HttpRequest, token: str) -> HttpResponse:
    link = email_links.read_click(token)
    if link is None:
        raise Http404("This link is not valid.")
    tracked, url = link
    email_tracking.email_click_record(tracked=tracked, url=url)
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
        return render(request, "outreach/mail/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        contact = email_tracking.contact_unsubscribe(contact_id=contact.pk)
    done = contact is not None and contact.outreach_status == Contact.OutreachStatus.OPTED_OUT
    return render(request, "outreach/mail/unsubscribe.html", {"contact": contact, "done": done})
