"""Tags and their assignment to prospects, contacts and deals."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from config.errors import ValidationFailed
from config.validation import apply_changes, save_or_conflict, validate_model
from outreach import events
from outreach.models import Contact, Deal, Prospect, Tag, Workspace

Taggable = Prospect | Contact | Deal


def tag_create(*, workspace: Workspace, name: str, color: str = "#64748b") -> Tag:
    tag = Tag(workspace=workspace, name=_clean_name(name), color=color)
    with transaction.atomic():
        validate_model(tag, exclude=["workspace"])
        save_or_conflict(tag, f"A tag named {tag.name!r} already exists.", field="name")
    return tag


def tag_update(*, tag: Tag, changes: dict) -> Tag:
    if "name" in changes:
        changes = {**changes, "name": _clean_name(changes["name"])}
    apply_changes(tag, changes, allowed={"name", "color"})
    with transaction.atomic():
        validate_model(tag, exclude=["workspace"])
        save_or_conflict(tag, f"A tag named {tag.name!r} already exists.", field="name")
    return tag


def tag_delete(*, tag: Tag) -> None:
    with transaction.atomic():
        tag.delete()


def tags_resolve(*, workspace: Workspace, names: Iterable[str]) -> list[Tag]:
    """The workspace's tags with these names (any case), creating the missing ones."""
    wanted = {_clean_name(name).lower(): _clean_name(name) for name in names}
    if not wanted:
        return []
    found: dict[str, Tag] = {
        tag.lname: tag
        for tag in Tag.objects.annotate(lname=Lower("name")).filter(
            workspace=workspace, lname__in=list(wanted)
        )
    }
    for lname, name in wanted.items():
        if lname not in found:
            found[lname] = _get_or_create(workspace, name)
    return [found[lname] for lname in wanted]


def tags_set(*, target: Taggable, tags: Iterable[Tag]) -> tuple[list[Tag], list[Tag]]:
    """Make the target's tags exactly these; return (assigned, removed)."""
    new = {tag.pk: tag for tag in tags}
    current = {tag.pk: tag for tag in target.tags.all()}
    assigned = [tag for pk, tag in new.items() if pk not in current]
    removed = [tag for pk, tag in current.items() if pk not in new]
    with transaction.atomic():
        for tag in assigned:
            tag_assign(target=target, tag=tag)
        for tag in removed:
            tag_remove(target=target, tag=tag)
    return assigned, removed


def tag_assign(*, target: Taggable, tag: Tag) -> bool:
    """Put the tag on the target; False when it was already there."""
    _check_same_workspace(target, tag)
    with transaction.atomic():
        if target.tags.filter(pk=tag.pk).exists():
            return False
        target.tags.add(tag)
        events.announce(events.TagAssigned(target, tag))
    return True


def tag_remove(*, target: Taggable, tag: Tag) -> bool:
    """Take the tag off the target; False when it was not there."""
    with transaction.atomic():
        if not target.tags.filter(pk=tag.pk).exists():
            return False
        target.tags.remove(tag)
        events.announce(events.TagRemoved(target, tag))
    return True


def _get_or_create(workspace: Workspace, name: str) -> Tag:
    try:
        with transaction.atomic():
            return Tag.objects.create(workspace=workspace, name=name)
    except IntegrityError:
        # Another request created it a moment ago.
        return Tag.objects.get(workspace=workspace, name__iexact=name)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationFailed.for_field("tags", "A tag name cannot be empty.")
    if len(cleaned) > 60:
        raise ValidationFailed.for_field("tags", "A tag name is at most 60 characters.")
    return cleaned


def _check_same_workspace(target: Taggable, tag: Tag) -> None:
    if target.workspace_id != tag.workspace_id:
        raise ValidationFailed.for_field("tags", "That tag belongs to another workspace.")
