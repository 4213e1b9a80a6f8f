"""Dashboard pages of the reply inbox: the list with its filters, a reply with its thread, and
the forms that answer it, correct its triage, dismiss it or link it to a contact."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.errors import ApplicationError, NotFound
from config.pagination import dashboard_page
from outreach.models import Contact, Reply, ReplyEffect
from outreach.replies import selectors
from outreach.replies.forms import AnswerForm, LinkContactForm, ReplyFilterForm, TriageForm
from outreach.replies.services import answers, intake, triage
from outreach.workspaces.access import admin_required, member_required
from outreach.workspaces.services import mailboxes as mailbox_services


@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    form = ReplyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    state = filters.get("state") or "open"
    replies = selectors.reply_list(
        workspace=request.workspace,
        state=None if state == "all" else state,
        intent=filters.get("intent") or None,
        kind=filters.get("kind") or None,
        q=filters.get("q", ""),
    )
    page = dashboard_page(request, replies)
    return render(
        request,
        "outreach/replies/inbox.html",
        {
            "form": form,
            "page": page,
            "state": state,
            "counts": selectors.reply_state_counts(workspace=request.workspace),
            "filter_query": _query_without(request, "page"),
        },
    )


@member_required
def reply_detail(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _reply_or_404(request, reply_id)
    return render(request, "outreach/replies/detail.html", _detail_context(request, reply))


@member_required
@require_POST
def reply_triage(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _reply_or_404(request, reply_id)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            outcome = triage.apply_reply_triage(
                reply=reply, intent=form.cleaned_data["intent"], by=request.user, source="rep"
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            intent = Reply.Intent(form.cleaned_data["intent"]).label
            done = ", ".join(_effect_label(effect) for effect in outcome.applied_effects)
            messages.success(
                request,
                f"Marked {intent}." + (f" Done: {done}." if done else " Nothing new to do."),
            )
            if outcome.call_task is not None and not outcome.call_task.created:
                messages.error(request, f"No call task: {outcome.call_task.reason}")
            return redirect("replies:reply_detail", reply_id=reply.pk)
    context = _detail_context(request, _reply_or_404(request, reply_id), triage_form=form)
    return render(request, "outreach/replies/detail.html", context, status=422)


@member_required
@require_POST
def reply_answer(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _reply_or_404(request, reply_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            email = answers.reply_answer(
                reply=reply, body=form.cleaned_data["body"], by=request.user
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"Answer on its way to {email.contact} from {email.mailbox.email}."
            )
            return redirect("replies:reply_detail", reply_id=reply.pk)
    context = _detail_context(request, _reply_or_404(request, reply_id), answer_form=form)
    return render(request, "outreach/replies/detail.html", context, status=422)


@member_required
@require_POST
def reply_ignore(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _reply_or_404(request, reply_id)
    try:
        triage.reply_ignore(reply=reply, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Reply ignored.")
    return redirect("replies:reply_inbox")


@member_required
@require_POST
def reply_link(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = _reply_or_404(request, reply_id)
    form = LinkContactForm(request.POST)
    if form.is_valid():
        contact = (
            Contact.objects.select_related("prospect")
            .filter(workspace=request.workspace, email=form.cleaned_data["email"].lower())
            .first()
        )
        if contact is None:
            form.add_error("email", "No contact in this workspace has this email.")
        else:
            try:
                intake.reply_link_contact(reply=reply, contact=contact)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Linked to {contact}.")
                return redirect("replies:reply_detail", reply_id=reply.pk)
    context = _detail_context(request, _reply_or_404(request, reply_id), link_form=form)
    return render(request, "outreach/replies/detail.html", context, status=422)


@admin_required
def inbound_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        mailbox_services.inbound_mailbox_rotate(workspace=request.workspace)
        messages.success(request, "New address and delivery URL: the old ones no longer work.")
        return redirect("replies:reply_inbound_settings")
    mailbox = mailbox_services.inbound_mailbox_ensure(workspace=request.workspace)
    return render(
        request,
        "outreach/replies/inbound_settings.html",
        {"mailbox": mailbox, **selectors.mailbox_urls(request, mailbox)},
    )


def _reply_or_404(request: HttpRequest, reply_id: int) -> Reply:
    try:
        return selectors.reply_get(workspace=request.workspace, reply_id=reply_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _detail_context(
    request: HttpRequest,
    reply: Reply,
    *,
    triage_form: TriageForm | None = None,
    link_form: LinkContactForm | None = None,
    answer_form: AnswerForm | None = None,
) -> dict:
    return {
        "reply": reply,
        "answer_form": answer_form or AnswerForm(),
        "answer_mailbox": answers.answering_mailbox(reply=reply, by=request.user),
        "thread": selectors.reply_thread(reply=reply),
        "triage_form": triage_form or TriageForm(initial={"intent": reply.intent or None}),
        "link_form": link_form or LinkContactForm(),
        "intents": Reply.Intent.choices,
    }


def _effect_label(effect: str) -> str:
    return ReplyEffect.Effect(effect).label.lower()


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
