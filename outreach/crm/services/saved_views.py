"""Saved views: a member's named filter and sort of the prospect or contact list."""

from urllib.parse import parse_qsl, urlencode

from django.contrib.auth.models import User
from django.db import transaction

from config.errors import ValidationFailed
from config.validation import save_or_conflict
from outreach.models import SavedView, Workspace

# What a view keeps of a list's URL: its filter and sort, never the page it was on.
VIEW_KEYS: dict[str, tuple[str, ...]] = {
    SavedView.ListName.PROSPECTS: ("q", "status", "tag", "sort"),
    SavedView.ListName.CONTACTS: ("q", "outreach_status", "tag", "sort"),
}


def saved_view_create(
    *, workspace: Workspace, owner: User, list_name: str, name: str, query: str
) -> SavedView:
    if list_name not in VIEW_KEYS:
        raise ValidationFailed.for_field("list_name", "Choose the prospect or contact list.")
    name = name.strip()
    if not name:
        raise ValidationFailed.for_field("name", "Name the view.")
    kept = [
        (key, value)
        for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=False)
        if key in VIEW_KEYS[list_name] and "\x00" not in value
    ]
    view = SavedView(
        workspace=workspace,
        owner=owner,
        list_name=list_name,
        name=name[:80],
        query=urlencode(kept)[:1000],
    )
    with transaction.atomic():
        save_or_conflict(view, f"You already have a view named {view.name!r}.", field="name")
    return view


def saved_view_delete(*, view: SavedView) -> None:
    with transaction.atomic():
        view.delete()
