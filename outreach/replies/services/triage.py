"""Triage of a stored reply, and acting on it (apply_reply_triage, the one service that acts):
bounces, automatic replies and the intents of people."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.db.models import Subquery
from django.utils import timezone

from config.errors import ApplicationError, Conflict, ValidationFailed
from outreach.crm.services.prospects import contact_create, contact_update, prospect_set_status
from outreach.crm.services.tasks import activity_record, touch_task_create
from outreach.models import (
    Activity,
    Contact,
    InboundMailbox,
    OutreachLog,
    Prospect,
    Reply,
    ReplyEffect,
    ReplyTriage,
)
from outreach.replies.inbound.classifier import find_referral
from outreach.replies.inbound.dates import extract_return_date
from outreach.replies.inbound.message import Address
from outreach.replies.inbound.triage import (
    AUTO_REPLY,
    HUMAN,
    TriageRequest,
    auto_reply_triage,
    get_classifier,
)
from outreach.replies.services import effects as reply_effects

logger = logging.getLogger(__name__)

Effect = ReplyEffect.Effect


Intent = Reply.Intent

# The columns applying a triage sets.
TRIAGE_FIELDS = [
    "kind",
    "referral",
    "return_date",
    "intent",
    "confidence",
    "triage_source",
    "triage_reason",
    "state",
    "applied_at",
    "applied_by",
    "triaged_at",
    "updated_at",
]


def reply_process(*, reply_id: int) -> str:
    """Triage a newly stored reply and, when the triage is confident, act on it.

    Runs once per reply: the move out of `new` is a conditional update, so a second run (a
    redelivered task, the sweep) finds nothing to do. The triage and acting on it are one
    transaction, holding the reply's row from the move on, so no rep's decision can come in
    between; acting runs in a savepoint, so an effect that fails leaves the triage stored and
    the reply waiting for a rep, and the failure is raised once that is committed.
    """
    reply = (
        Reply.objects.select_related("contact", "prospect", "workspace__inbound_mailbox", "answers")
        .filter(pk=reply_id, state=Reply.State.NEW)
        .first()
    )
    if reply is None:
        return "gone or done"
    if reply.is_machine:
        return _process_bounce(reply)
    request = _triage_request(reply)
    if reply.kind == AUTO_REPLY:
        classification = auto_reply_triage(request, evidence=reply.triage_reason)
    else:
        # Outside any transaction: the hosted provider is a network call.
        classification = get_classifier().classify(request)
    actionable = reply.contact_id is not None
    confident = classification.confidence >= settings.REPLIES_AUTO_APPLY_MIN_CONFIDENCE
    # An automatic reply from someone we do not know needs nobody's attention.
    waits = actionable or reply.kind == HUMAN
    state = Reply.State.NEEDS_REVIEW if waits else Reply.State.IGNORED
    if waits and reply.answered_at is not None:
        state = Reply.State.ANSWERED  # a rep answered it before triage came round
    failure: Exception | None = None
    applied = False
    with transaction.atomic():
        claimed = Reply.objects.filter(pk=reply.pk, state=Reply.State.NEW).update(
            state=state,
            intent=classification.intent,
            confidence=classification.confidence,
            triage_source=classification.source,
            triage_reason=classification.reason[:500],
            return_date=classification.return_date,
            referral=classification.referral.as_dict() if classification.referral else {},
            triaged_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if not claimed:
            return "already triaged"
        # Nothing writes a reply's effects while it is new (applying a triage moves it on), so
        # there are none to read.
        effects = _Effects(reply=reply, done={})
        if reply.kind == HUMAN and reply.prospect is not None:
            _record_reply_activity(reply, reply.prospect, classification.intent, effects)
            effects.save()
        # An answered reply is a rep's to decide on, as one already triaged would be.
        if actionable and confident and state == Reply.State.NEEDS_REVIEW:
            try:
                with transaction.atomic():
                    # Read again under the row this transaction holds: the contact and the
                    # prospect as they are now, the reply as the claim left it.
                    current = Reply.objects.select_related(
                        "contact", "prospect__workspace", "workspace"
                    ).get(pk=reply.pk)
                    effects.reply = current
                    _apply(
                        current,
                        intent=classification.intent,
                        by=None,
                        confidence=classification.confidence,
                        source=classification.source,
                        reason=classification.reason,
                        effects=effects,
                        outcome=TriageOutcome(reply=current),
                    )
                applied = True
            except Exception as exc:  # raised again below, once the triage is committed
                failure = exc
        ReplyTriage.objects.create(
            reply=reply,
            intent=classification.intent,
            confidence=classification.confidence,
            source=classification.source,
            reason=classification.reason[:500],
            applied=applied,
        )
    if failure is not None:
        raise failure
    return Reply.State.APPLIED if applied else state


def _triage_request(reply: Reply) -> TriageRequest:
    received = timezone.localtime(reply.received_at, ZoneInfo(reply.workspace.time_zone)).date()
    return TriageRequest(
        body=reply.body,
        subject=reply.subject,
        sender=Address(email=reply.from_email, name=reply.from_name),
        received=received,
        cc=[Address(email=a.get("email", ""), name=a.get("name", "")) for a in reply.cc],
        ignored_addresses={a.get("email", "") for a in reply.to} | _our_addresses(reply),
        answered_subject=reply.answers.subject if reply.answers else "",
    )


def _our_addresses(reply: Reply) -> set[str]:
    try:
        # Loaded with the reply by reply_process; looked up here for the other callers.
        mailbox = reply.workspace.inbound_mailbox
    except InboundMailbox.DoesNotExist:
        return set()
    return {mailbox.address.lower()}


@dataclass
class TriageOutcome:
    reply: Reply
    applied_effects: list[str] = field(default_factory=list)
    call_task: reply_effects.CallTaskResult | None = None


def apply_reply_triage(
    *,
    reply: Reply,
    intent: str,
    by: User | None,
    confidence: float | None = None,
    source: str = "rep",
    reason: str = "",
    automatic: bool = False,
) -> TriageOutcome:
    """Give a reply its intent and do what that intent asks, each thing at most once per reply.

    interested: the prospect becomes ENGAGED and the interested-reply call task is created (its
    failure is logged and does not fail the triage); unsubscribe: the contact opts out;
    out_of_office: the contact's sequences pause until the return date; referral: the person named
    becomes a contact; question and referral: a follow-up task for the rep. Every intent but
    out_of_office stops the contact's sequences. Applying again, or another intent later, never
    repeats an effect that already happened (nor undoes one).

    `automatic` is the classifier's own triage being acted on (already in the history); any
    other call is a decision by a rep or an integration, added to the history.
    """
    if intent not in Intent.values:
        raise ValidationFailed.for_field("intent", f"{intent!r} is not an intent.")
    if reply.is_machine:
        raise Conflict("A bounce has no intent to apply.")
    if reply.contact_id is None and reply.prospect_id is None:
        raise Conflict("Link this reply to a contact first.")
    outcome = TriageOutcome(reply=reply)
    with transaction.atomic():
        reply = (
            Reply.objects.select_for_update(of=("self",))
            .select_related("contact", "prospect", "workspace")
            .get(pk=reply.pk)
        )
        outcome.reply = reply
        if automatic and reply.state != Reply.State.NEEDS_REVIEW:
            return outcome  # a rep decided while the classifier was reading: theirs stands
        if not automatic and reply.kind == AUTO_REPLY and intent != Intent.OUT_OF_OFFICE:
            reply.kind = HUMAN  # someone read it: a person wrote it after all
        _apply(
            reply,
            intent=intent,
            by=by,
            confidence=confidence,
            source=source,
            reason=reason,
            effects=_Effects.of(reply),
            outcome=outcome,
        )
        if not automatic:
            ReplyTriage.objects.create(
                reply=reply,
                intent=intent,
                confidence=confidence,
                source=source,
                by=by,
                reason=reply.triage_reason,
                applied=True,
            )
        else:
            _mark_last_triage_applied(reply)
    return outcome


def _apply(
    reply: Reply,
    *,
    intent: str,
    by: User | None,
    confidence: float | None,
    source: str,
    reason: str,
    effects: _Effects,
    outcome: TriageOutcome,
) -> None:
    """Set the intent on a reply whose row this transaction holds, and act on it."""
    _read_details_for(reply, intent)
    reply.intent = intent
    reply.confidence = confidence
    reply.triage_source = source
    default_reason = f"Set by {by.get_username()}" if by else "Set through the API"
    reply.triage_reason = (reason or default_reason)[:500]
    reply.state = Reply.State.APPLIED
    reply.applied_at = timezone.now()
    reply.applied_by = by
    reply.triaged_at = reply.triaged_at or reply.applied_at
    # Only what a triage decides: the stored message (text, html, headers) is not sent again.
    reply.save(update_fields=TRIAGE_FIELDS)
    if reply.kind == HUMAN and reply.prospect is not None:
        _record_reply_activity(reply, reply.prospect, intent, effects)
    _act(reply, intent, effects, outcome)
    effects.save()


def _read_details_for(reply: Reply, intent: str) -> None:
    """A rep may give an intent the classifier did not: read what that intent needs (the person
    referred to, the return date) from the reply if it is not known yet."""
    if intent == Intent.REFERRAL and not reply.referral:
        request = _triage_request(reply)
        found = find_referral(
            reply.body, sender=request.sender, cc=request.cc, ignored=request.ignored_addresses
        )
        reply.referral = found.as_dict() if found else {}
    if intent == Intent.OUT_OF_OFFICE and reply.return_date is None:
        reply.return_date = extract_return_date(
            f"{reply.subject}\n{reply.body}", received=_triage_request(reply).received
        )


def _mark_last_triage_applied(reply: Reply) -> None:
    last = ReplyTriage.objects.filter(reply=reply).order_by("-created_at", "-pk").values("pk")[:1]
    ReplyTriage.objects.filter(pk=Subquery(last)).update(applied=True)


def _act(reply: Reply, intent: str, effects: _Effects, outcome: TriageOutcome) -> None:
    contact, prospect = reply.contact, reply.prospect
    if intent == Intent.INTERESTED and prospect is not None:
        if _claim(effects, Effect.ENGAGED, outcome):
            before = prospect.status
            if before in {Prospect.Status.NEW, Prospect.Status.CONTACTED}:
                prospect_set_status(prospect=prospect, status=Prospect.Status.ENGAGED)
            effects.result(Effect.ENGAGED, {"from": before, "to": prospect.status})
        if _claim(effects, Effect.CALL_TASK, outcome):
            outcome.call_task = _call_task(reply, prospect)
            effects.result(Effect.CALL_TASK, outcome.call_task.__dict__)
    if (
        intent == Intent.UNSUBSCRIBE
        and contact is not None
        and _claim(effects, Effect.OPT_OUT, outcome)
    ):
        before = contact.outreach_status
        if before != Contact.OutreachStatus.OPTED_OUT:
            contact_update(
                contact=contact, changes={"outreach_status": Contact.OutreachStatus.OPTED_OUT}
            )
        effects.result(Effect.OPT_OUT, {"from": before})
    # A reply's contact always has its prospect set beside it, but the two columns are
    # nullable apart, so the prospect the new contacts and tasks belong to is checked.
    if (
        intent == Intent.REFERRAL
        and reply.referral
        and prospect is not None
        and _claim(effects, Effect.REFERRAL_CONTACT, outcome)
    ):
        effects.result(Effect.REFERRAL_CONTACT, _referred_contact(reply, prospect))
    if (
        intent in {Intent.QUESTION, Intent.REFERRAL}
        and prospect is not None
        and _claim(effects, Effect.FOLLOW_UP_TASK, outcome)
    ):
        task = _follow_up_task(reply, prospect, intent)
        effects.result(Effect.FOLLOW_UP_TASK, {"taskId": task.pk})
    if contact is None:
        return
    if intent == Intent.OUT_OF_OFFICE:
        if Effect.STOP_SEQUENCES not in effects.done and _claim(
            effects, Effect.PAUSE_SEQUENCES, outcome
        ):
            until = _pause_until(reply, contact)
            reply_effects.pause_sequences(contact, "Out of office", until)
            effects.result(Effect.PAUSE_SEQUENCES, {"until": until.isoformat()})
    elif _claim(effects, Effect.STOP_SEQUENCES, outcome):
        reason = f"Replied: {Intent(intent).label.lower()}"
        reply_effects.stop_sequences(contact, reason)
        effects.result(Effect.STOP_SEQUENCES, {"reason": reason})


@dataclass
class _Effects:
    """A reply's effects, read once by the transaction that holds the reply's row.

    Every writer of a reply's effects (applying a triage, reply_process, a bounce) first holds
    the reply's row: a conditional update or select_for_update. So what was read stays true
    until commit, an effect is claimed by adding it here, and the new ones are written together
    at the end, with their results. The unique constraint on (reply, effect) still stands behind
    this: a writer that did not hold the row would fail rather than repeat an effect.
    """

    reply: Reply
    done: dict[str, ReplyEffect]
    pending: list[ReplyEffect] = field(default_factory=list)
    activity_intent: str | None = None  # the intent of the REPLY activity recorded here

    @classmethod
    def of(cls, reply: Reply) -> _Effects:
        return cls(reply=reply, done={e.effect: e for e in ReplyEffect.objects.filter(reply=reply)})

    def claim(self, effect: str) -> bool:
        """True the first time this reply has this effect."""
        if effect in self.done:
            return False
        self.done[effect] = ReplyEffect(reply=self.reply, effect=effect)
        self.pending.append(self.done[effect])
        return True

    def result(self, effect: str, result: dict) -> None:
        claimed = self.done[effect]
        claimed.result = result
        if claimed.pk is not None:
            ReplyEffect.objects.filter(pk=claimed.pk).update(result=result)

    def save(self) -> None:
        ReplyEffect.objects.bulk_create(self.pending)
        self.pending = []


def _claim(effects: _Effects, effect: str, outcome: TriageOutcome) -> bool:
    if not effects.claim(effect):
        return False
    outcome.applied_effects.append(effect)
    return True


def _call_task(reply: Reply, prospect: Prospect) -> reply_effects.CallTaskResult:
    who = str(reply.contact) if reply.contact else reply.from_name or reply.from_email
    excerpt = " ".join(reply.body.split())[:500]
    notes = f"{who} replied with interest: \u201c{excerpt}\u201d"
    try:
        with transaction.atomic():
            return reply_effects.call_task_for_interest(prospect, notes=notes)
    except (DatabaseError, ApplicationError) as exc:
        # The reply is still triaged and the prospect still engaged; a rep sees the failure
        # on the reply and can call anyway.
        logger.exception("Could not create the interested-reply call task for reply %s", reply.pk)
        return reply_effects.CallTaskResult(created=False, reason=f"failed: {exc}"[:300])


def _referred_contact(reply: Reply, prospect: Prospect) -> dict:
    referral = reply.referral
    email = (referral.get("email") or "").lower()
    if email:
        existing = Contact.objects.filter(workspace=reply.workspace, email=email).first()
        if existing is not None:
            return {"contactId": existing.pk, "created": False}
    first, last = referral.get("first_name", ""), referral.get("last_name", "")
    if not (email or first or last):
        return {"created": False, "reason": "The reply names nobody."}
    referred_by = str(reply.contact) if reply.contact else reply.from_email
    try:
        contact = contact_create(
            workspace=reply.workspace,
            prospect=prospect,
            first_name=first[:100],
            last_name=last[:100],
            email=email,
            custom_fields={"referredBy": referred_by, "referredInReplyId": reply.pk},
        )
    except ApplicationError as exc:
        return {"created": False, "reason": exc.message}
    return {"contactId": contact.pk, "created": True}


def _follow_up_task(reply: Reply, prospect: Prospect, intent: str) -> OutreachLog:
    who = str(reply.contact) if reply.contact else reply.from_name or reply.from_email
    if intent == Intent.REFERRAL:
        person = (
            " ".join(
                part
                for part in (reply.referral.get("first_name"), reply.referral.get("last_name"))
                if part
            )
            or reply.referral.get("email")
            or "the person they named"
        )
        subject = f"Reach out to {person} (referred by {who})"
    else:
        subject = f"Answer {who}'s question"
    return touch_task_create(
        workspace=reply.workspace,
        prospect=prospect,
        contact=reply.contact,
        channel=OutreachLog.Channel.EMAIL,
        log_type=OutreachLog.Type.FOLLOW_UP,
        subject=subject[:300],
        notes=reply.body[:2000],
        created_by_label="reply triage",
        extra_metadata={"replyId": reply.pk},
    )


def _pause_until(reply: Reply, contact: Contact) -> datetime:
    """The start of the contact's business day when they are back, or a default pause."""
    zone = ZoneInfo(contact.time_zone or reply.workspace.time_zone)
    if reply.return_date:
        return datetime.combine(reply.return_date, reply.workspace.business_day_start, zone)
    resume = timezone.now().astimezone(zone) + timedelta(
        days=settings.REPLIES_OUT_OF_OFFICE_PAUSE_DAYS
    )
    return datetime.combine(resume.date(), time(0, 0), zone).replace(
        hour=reply.workspace.business_day_start.hour,
        minute=reply.workspace.business_day_start.minute,
    )


def _record_reply_activity(
    reply: Reply, prospect: Prospect, intent: str, effects: _Effects
) -> None:
    """One REPLY activity per human reply; a later triage corrects its intent."""
    effect = effects.done.get(Effect.ACTIVITY)
    if effect is None:
        activity = activity_record(
            workspace=reply.workspace,
            prospect=prospect,
            contact=reply.contact,
            kind=Activity.Kind.REPLY,
            occurred_at=reply.received_at,
            metadata={"intent": intent, "replyId": reply.pk},
        )
        effects.claim(Effect.ACTIVITY)
        effects.result(Effect.ACTIVITY, {"activityId": activity.pk})
        effects.activity_intent = intent
        return
    activity_id = effect.result.get("activityId")
    if activity_id and effects.activity_intent != intent:
        Activity.objects.filter(pk=activity_id).update(
            metadata={"intent": intent, "replyId": reply.pk}
        )
        effects.activity_intent = intent


def _process_bounce(reply: Reply) -> str:
    """A hard bounce marks the contact BOUNCED and stops its sequences. A soft one (a full
    mailbox, a block, an expired queue) is counted: only when the same contact's soft bounces
    repeat over days (`REPLIES_SOFT_BOUNCES_TO_HARD` failures spanning at least
    `REPLIES_SOFT_BOUNCE_DAYS`) does it act as a hard one. A provider's notice acts on nobody."""
    contact = (
        reply.contact if reply.kind in {Reply.Kind.BOUNCE_HARD, Reply.Kind.BOUNCE_SOFT} else None
    )
    hard = reply.kind == Reply.Kind.BOUNCE_HARD
    summary = _bounce_summary(reply)
    if contact is not None and not hard:
        repeated = _repeated_soft_bounces(reply, contact)
        hard = bool(repeated)
        summary = f"{summary} ({repeated})" if repeated else summary
    acts = contact is not None and hard
    state = Reply.State.APPLIED if acts else Reply.State.IGNORED
    outcome = TriageOutcome(reply=reply)
    # Nothing writes a reply's effects while it is new, so there are none to read.
    effects = _Effects(reply=reply, done={})
    with transaction.atomic():
        claimed = Reply.objects.filter(pk=reply.pk, state=Reply.State.NEW).update(
            state=state,
            triage_source="esp" if reply.kind == Reply.Kind.NOTIFICATION else "dsn",
            triage_reason=summary[:500],
            triaged_at=timezone.now(),
            applied_at=timezone.now() if acts else None,
            updated_at=timezone.now(),
        )
        if not claimed:
            return "already triaged"
        if not acts or contact is None:
            return state
        if _claim(effects, Effect.BOUNCED, outcome):
            before = contact.outreach_status
            if before == Contact.OutreachStatus.ACTIVE:
                contact_update(
                    contact=contact, changes={"outreach_status": Contact.OutreachStatus.BOUNCED}
                )
            effects.result(Effect.BOUNCED, {"from": before, "status": reply.bounce.get("status")})
        if _claim(effects, Effect.STOP_SEQUENCES, outcome):
            reason = f"Hard bounce: {summary}"[:200]
            reply_effects.stop_sequences(contact, reason)
            effects.result(Effect.STOP_SEQUENCES, {"reason": reason})
        effects.save()
    return state


def _repeated_soft_bounces(reply: Reply, contact: Contact) -> str:
    """Why a soft bounce counts as hard: enough failed (not delayed) deliveries to the same
    address over enough days; '' while it does not."""
    if reply.bounce.get("action") == "delayed":
        return ""
    failures = list(
        Reply.objects.filter(
            workspace_id=reply.workspace_id,
            contact=contact,
            kind=Reply.Kind.BOUNCE_SOFT,
            bounce__action="failed",
        ).values_list("received_at", flat=True)
    )
    if len(failures) < settings.REPLIES_SOFT_BOUNCES_TO_HARD:
        return ""
    days = (max(failures) - min(failures)).days
    if days < settings.REPLIES_SOFT_BOUNCE_DAYS:
        return ""
    return f"{len(failures)} soft bounces over {days} days"


def _bounce_summary(reply: Reply) -> str:
    bounce = reply.bounce
    if reply.kind == Reply.Kind.NOTIFICATION:
        return reply.triage_reason or "Provider notice"
    kind = "Hard bounce" if reply.kind == Reply.Kind.BOUNCE_HARD else "Soft bounce"
    reason = bounce.get("reason", "").replace("_", " ")
    parts = [bounce.get("recipient", ""), bounce.get("status", ""), bounce.get("diagnostic", "")]
    detail = " ".join(part for part in parts if part)
    if reason and reason != "undefined":
        detail = f"{reason}: {detail}" if detail else reason
    return f"{kind}: {detail}" if detail else kind


def reply_ignore(*, reply: Reply, by: User | None) -> Reply:
    """Take a reply off the review list without acting on it."""
    with transaction.atomic():
        moved = Reply.objects.filter(
            pk=reply.pk, state__in=[Reply.State.NEW, Reply.State.NEEDS_REVIEW]
        ).update(state=Reply.State.IGNORED, applied_by=by, updated_at=timezone.now())
    reply.refresh_from_db()
    if not moved:
        raise Conflict(f"This reply is already {reply.get_state_display().lower()}.")
    return reply
