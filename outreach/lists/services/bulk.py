"""Bulk actions over a selection of prospects or contacts: the rows a rep ticked, or every row
matching the list's filter. A small selection is done at once; a large one is a queued job that
a worker runs in chunks, each chunk its own transaction, counting as it goes.

Every record goes through the CRM's and the sequences' own services, so automations, scoring and
sequences see a bulk change as they see one made by hand."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from config.errors import ValidationFailed
from outreach.crm import selectors as crm_selectors
from outreach.crm.services import prospects as prospect_services
from outreach.crm.services import tags as tag_services
from outreach.models import BulkAction, Contact, Prospect, SequenceTemplate, Workspace
from outreach.sequences.services.enrollment import sequence_enroll

User = get_user_model()

# A selection up to this size is done while the rep waits; a larger one goes to a worker.
INLINE_LIMIT = 200
CHUNK = 200
SKIPPED_KEPT = 50

PROSPECT_ACTIONS = {
    "enroll": "Enroll in a sequence",
    "add_tag": "Add a tag",
    "remove_tag": "Remove a tag",
    "assign_owner": "Assign an owner",
    "set_status": "Change status",
    "delete": "Delete",
}
CONTACT_ACTIONS = {
    "enroll": "Enroll in a sequence",
    "add_tag": "Add a tag",
    "remove_tag": "Remove a tag",
    "delete": "Delete",
}
ACTIONS: dict[str, dict[str, str]] = {
    BulkAction.Target.PROSPECTS: PROSPECT_ACTIONS,
    BulkAction.Target.CONTACTS: CONTACT_ACTIONS,
}
# The list filters a selection of "all matching" may carry, by list.
FILTERS: dict[str, tuple[str, ...]] = {
    BulkAction.Target.PROSPECTS: ("q", "status", "tag", "owner_id"),
    BulkAction.Target.CONTACTS: ("q", "prospect_id", "outreach_status", "tag"),
}


@dataclass
class ChunkResult:
    done: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)


def selection(
    *,
    workspace: Workspace,
    target: str,
    record_ids: list[int],
    filters: dict[str, Any],
    select_all: bool,
) -> QuerySet:
    """The records a bulk action works on, always inside the workspace."""
    if target == BulkAction.Target.PROSPECTS:
        if select_all:
            return crm_selectors.prospect_list(workspace=workspace, **filters)
        return Prospect.objects.filter(workspace=workspace, pk__in=record_ids).order_by("pk")
    if select_all:
        return crm_selectors.contact_list(workspace=workspace, **filters)
    return Contact.objects.filter(workspace=workspace, pk__in=record_ids).order_by("pk")


def bulk_action_create(
    *,
    workspace: Workspace,
    by: Any,
    target: str,
    action: str,
    params: dict[str, Any],
    record_ids: list[int],
    filters: dict[str, Any],
    select_all: bool,
) -> BulkAction:
    """Check the action and its selection, then do it now (small) or queue it (large)."""
    if target not in ACTIONS:
        raise ValidationFailed.for_field("target", "Choose prospects or contacts.")
    if action not in ACTIONS[target]:
        raise ValidationFailed.for_field("action", "Choose an action from the list.")
    filters = {k: v for k, v in filters.items() if k in FILTERS[target] and v not in ("", None)}
    params = _check_params(workspace=workspace, action=action, params=params, target=target)
    records = selection(
        workspace=workspace,
        target=target,
        record_ids=record_ids,
        filters=filters,
        select_all=select_all,
    )
    total = records.count()
    if total == 0:
        raise ValidationFailed.for_field("record_ids", "Select at least one record.")
    with transaction.atomic():
        bulk = BulkAction.objects.create(
            workspace=workspace,
            created_by=by if getattr(by, "pk", None) else None,
            target=target,
            action=action,
            params=params,
            record_ids=[] if select_all else sorted(set(record_ids)),
            filters=filters,
            select_all=select_all,
            total=total,
        )
        if total > INLINE_LIMIT:
            transaction.on_commit(lambda: _enqueue(bulk.pk))
    if total <= INLINE_LIMIT:
        bulk_action_run(action_id=bulk.pk)
        bulk.refresh_from_db()
    return bulk


def _enqueue(action_id: int) -> None:
    from outreach.lists import tasks

    tasks.bulk_action_run.delay(action_id)


def _check_params(
    *, workspace: Workspace, action: str, params: dict[str, Any], target: str
) -> dict[str, Any]:
    if action == "enroll":
        sequence_id = _int_or_none(params.get("sequence_id"))
        sequence = (
            SequenceTemplate.objects.filter(workspace=workspace, pk=sequence_id).first()
            if sequence_id
            else None
        )
        if sequence is None:
            raise ValidationFailed.for_field("sequence_id", "Choose a sequence.")
        if not sequence.steps.exists():
            raise ValidationFailed.for_field("sequence_id", "This sequence has no steps yet.")
        return {"sequence_id": sequence.pk, "sequence": sequence.name}
    if action in ("add_tag", "remove_tag"):
        name = str(params.get("tag") or "").strip()
        if not name or len(name) > 60:
            raise ValidationFailed.for_field("tag", "Give a tag name (up to 60 characters).")
        return {"tag": name}
    if action == "assign_owner":
        owner_id = _int_or_none(params.get("owner_id"))
        if owner_id is None or not workspace.memberships.filter(user_id=owner_id).exists():
            raise ValidationFailed.for_field("owner_id", "Choose a member of this workspace.")
        return {"owner_id": owner_id}
    if action == "set_status":
        if params.get("status") not in Prospect.Status.values:
            raise ValidationFailed.for_field("status", "Choose a status.")
        return {"status": params["status"]}
    return {}


def _int_or_none(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def bulk_action_run(*, action_id: int) -> str:
    """Run a queued bulk action chunk by chunk; claimed once by a conditional UPDATE."""
    claimed = BulkAction.objects.filter(pk=action_id, status=BulkAction.Status.QUEUED).update(
        status=BulkAction.Status.RUNNING
    )
    if not claimed:
        return "not_queued"
    bulk = BulkAction.objects.select_related("workspace", "created_by").get(pk=action_id)
    records = selection(
        workspace=bulk.workspace,
        target=bulk.target,
        record_ids=bulk.record_ids,
        filters=bulk.filters,
        select_all=bulk.select_all,
    )
    # Ids first: a delete or a status change must not move the rows still to do.
    ids = list(records.values_list("pk", flat=True))
    model = Prospect if bulk.target == BulkAction.Target.PROSPECTS else Contact
    kept = 0
    for start in range(0, len(ids), CHUNK):
        chunk_ids = ids[start : start + CHUNK]
        with transaction.atomic():
            chunk = list(model.objects.filter(pk__in=chunk_ids).order_by("pk"))
            result = _run_chunk(bulk, chunk)
            skipped = result.skipped[: max(0, SKIPPED_KEPT - kept)]
            kept += len(skipped)
            BulkAction.objects.filter(pk=bulk.pk).update(
                processed_count=F("processed_count") + len(chunk),
                done_count=F("done_count") + result.done,
                skipped_count=F("skipped_count") + len(result.skipped),
                skipped=[*bulk.skipped, *skipped],
            )
            bulk.skipped = [*bulk.skipped, *skipped]
    bulk.refresh_from_db()
    BulkAction.objects.filter(pk=bulk.pk).update(
        status=BulkAction.Status.DONE, summary=_summary(bulk), finished_at=timezone.now()
    )
    return "done"


def _run_chunk(bulk: BulkAction, records: list) -> ChunkResult:
    result = ChunkResult()
    workspace, params = bulk.workspace, bulk.params
    if bulk.action == "enroll":
        template = SequenceTemplate.objects.filter(
            workspace=workspace, pk=params["sequence_id"]
        ).first()
        if template is None:
            result.skipped = [
                {"record": str(r), "reason": "The sequence is gone."} for r in records
            ]
            return result
        if bulk.target == BulkAction.Target.PROSPECTS:
            contacts = list(Contact.objects.filter(prospect__in=records).select_related("prospect"))
            with_contacts = {c.prospect_id for c in contacts}
            result.skipped += [
                {"record": str(p), "reason": f"{p} has no contacts."}
                for p in records
                if p.pk not in with_contacts
            ]
        else:
            contacts = records
        sender = bulk.created_by if bulk.created_by_id else None
        report = sequence_enroll(template=template, contacts=contacts, by=sender)
        result.done += len(report.enrolled)
        result.skipped += [{"record": str(c), "reason": why} for c, why in report.skipped]
        return result
    if bulk.action in ("add_tag", "remove_tag"):
        tag = tag_services.tags_resolve(workspace=workspace, names=[params["tag"]])[0]
        change = tag_services.tag_assign if bulk.action == "add_tag" else tag_services.tag_remove
        for record in records:
            if change(target=record, tag=tag):
                result.done += 1
            else:
                already = "already has" if bulk.action == "add_tag" else "does not have"
                result.skipped.append({"record": str(record), "reason": f"{already} the tag"})
        return result
    if bulk.action in ("assign_owner", "set_status"):
        owner = User.objects.filter(pk=params.get("owner_id")).first()
        if bulk.action == "assign_owner" and owner is None:
            result.skipped = [{"record": str(r), "reason": "The owner is gone."} for r in records]
            return result
        changes = (
            {"owner": owner} if bulk.action == "assign_owner" else {"status": params["status"]}
        )
        for record in records:
            if prospect_services.prospect_update(prospect=record, changes=changes):
                result.done += 1
            else:
                result.skipped.append({"record": str(record), "reason": "already so"})
        return result
    if bulk.action == "delete":
        for record in records:
            if isinstance(record, Prospect):
                prospect_services.prospect_delete(prospect=record)
            else:
                prospect_services.contact_delete(contact=record)
            result.done += 1
    return result


def _summary(bulk: BulkAction) -> str:
    noun = bulk.target if bulk.total != 1 else bulk.target.rstrip("s")
    params = bulk.params
    sequence = params.get("sequence", "the sequence")
    verb = {
        "enroll": f"Enrolled {{done}} contact{{s}} of {{total}} {{noun}} in {sequence}",
        "add_tag": f"Tagged {{done}} of {{total}} {{noun}} {params.get('tag', '')}",
        "remove_tag": f"Took the tag {params.get('tag', '')} off {{done}} of {{total}} {{noun}}",
        "assign_owner": "Gave {done} of {total} {noun} a new owner",
        "set_status": "Changed the status of {done} of {total} {noun}",
        "delete": "Deleted {done} of {total} {noun}",
    }[bulk.action]
    text = verb.format(
        done=bulk.done_count, total=bulk.total, noun=noun, s="" if bulk.done_count == 1 else "s"
    )
    if bulk.skipped_count:
        text += f"; {bulk.skipped_count} skipped"
    return text + "."
