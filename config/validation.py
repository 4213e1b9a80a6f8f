"""Shared helpers for writing services: validation as ApplicationErrors and partial updates."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models

from config.errors import Conflict, ValidationFailed


def validate_model(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Run the model's field and constraint validation; raise ValidationFailed or Conflict."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        errors = {
            ("__all__" if field == NON_FIELD_ERRORS else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }
        if _is_only_uniqueness(exc):
            raise Conflict(_first_message(errors), field_errors=errors) from exc
        raise ValidationFailed(_first_message(errors), field_errors=errors) from exc


def save_or_conflict(
    instance: models.Model, message: str, *, field: str | None = None, **save_kwargs: Any
) -> None:
    """Save, turning a uniqueness race lost to a concurrent request into a 409 (about `field`,
    when one field's value is what is taken, so a form can say it next to that field)."""
    try:
        instance.save(**save_kwargs)
    except IntegrityError as exc:
        raise Conflict(message, field_errors={field: [message]} if field else None) from exc


def apply_changes(
    instance: models.Model, changes: Mapping[str, Any], *, allowed: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    """Set the allowed fields that really change; return {field: (old, new)} for each."""
    allowed = set(allowed)
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    changed: dict[str, tuple[Any, Any]] = {}
    for field, new in changes.items():
        old = getattr(instance, field)
        if old != new:
            setattr(instance, field, new)
            changed[field] = (old, new)
    return changed


def _is_only_uniqueness(exc: ValidationError) -> bool:
    codes = {error.code for errors in exc.error_dict.values() for error in errors}
    return bool(codes) and codes <= {"unique", "unique_together", "unique_constraint"}


def _first_message(errors: dict[str, list[str]]) -> str:
    for field, messages in errors.items():
        prefix = "" if field == "__all__" else f"{field}: "
        return prefix + messages[0]
    return "Invalid data."
