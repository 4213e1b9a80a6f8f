"""The workspace's template library: shared or personal templates whose variables are checked
when they are saved."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from config.errors import Conflict, PermissionDenied, ValidationFailed
from config.validation import apply_changes, save_or_conflict, validate_model
from outreach.mail import merge_fields
from outreach.models import EmailTemplate, Workspace

TEMPLATE_FIELDS = {"name", "subject", "body", "shared"}


def email_template_create(
    *, workspace: Workspace, by: User | None, name: str, subject: str, body: str, shared: bool
) -> EmailTemplate:
    template = EmailTemplate(workspace=workspace, owner=by, shared=shared or by is None)
    apply_changes(
        template,
        _cleaned({"name": name, "subject": subject, "body": body}),
        allowed=TEMPLATE_FIELDS,
    )
    return _save(template)


def email_template_update(
    *, template: EmailTemplate, changes: Mapping[str, Any], by: User | None, is_admin: bool
) -> EmailTemplate:
    ensure_can_edit(template, by=by, is_admin=is_admin)
    apply_changes(template, _cleaned(changes), allowed=TEMPLATE_FIELDS)
    return _save(template)


def email_template_delete(*, template: EmailTemplate, by: User | None, is_admin: bool) -> None:
    ensure_can_edit(template, by=by, is_admin=is_admin)
    if template.sequence_steps.exists():
        raise Conflict("Sequence steps use this template; change them first.")
    with transaction.atomic():
        template.delete()


def ensure_can_edit(template: EmailTemplate, *, by: User | None, is_admin: bool) -> None:
    if is_admin or template.owner_id is None or (by is not None and template.owner_id == by.pk):
        return
    raise PermissionDenied("Only its owner or an admin can change this template.")


def _cleaned(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in ("name", "subject"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = " ".join(cleaned[name].split())
    for name in ("subject", "body"):
        if name in cleaned:
            try:
                merge_fields.check(cleaned[name])
            except merge_fields.UnknownVariable as exc:
                raise ValidationFailed.for_field(name, str(exc)) from exc
    return cleaned


def _save(template: EmailTemplate) -> EmailTemplate:
    if not template.body.strip():
        raise ValidationFailed.for_field("body", "A template needs a body.")
    with transaction.atomic():
        validate_model(template, exclude=["workspace", "owner"])
        save_or_conflict(template, f"A template named {template.name!r} already exists.")
    return template
