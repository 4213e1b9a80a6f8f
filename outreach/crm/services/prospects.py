"""Prospects (companies) and their contacts."""

from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import transaction

from config.errors import ValidationFailed
from config.validation import apply_changes, save_or_conflict, validate_model
from outreach import events
from outreach.crm.services.tags import tags_resolve, tags_set
from outreach.models import Contact, Prospect, Workspace
from outreach.workspaces.services.workspaces import ensure_member

PROSPECT_FIELDS = {"name", "domain", "website", "status", "owner", "custom_fields"}
CONTACT_FIELDS = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "time_zone",
    "outreach_status",
    "custom_fields",
}


def prospect_create(
    *,
    workspace: Workspace,
    name: str,
    domain: str = "",
    website: str = "",
    status: str = Prospect.Status.NEW,
    owner: User | None = None,
    custom_fields: dict[str, Any] | None = None,
    tags: list[str] | None = None,
) -> Prospect:
    prospect = Prospect(
        workspace=workspace,
        name=name.strip(),
        website=website.strip(),
        domain=normalize_domain(domain or website),
        status=status,
        owner=owner,
        custom_fields=custom_fields or {},
    )
    ensure_member(workspace=workspace, user=owner)
    with transaction.atomic():
        validate_model(prospect, exclude=["workspace", "owner"])
        save_or_conflict(
            prospect,
            f"A prospect with the domain {prospect.domain} already exists.",
            field="domain",
        )
        if tags:
            tags_set(target=prospect, tags=tags_resolve(workspace=workspace, names=tags))
    return prospect


def prospect_update(
    *, prospect: Prospect, changes: dict[str, Any], tags: list[str] | None = None
) -> dict[str, tuple[Any, Any]]:
    """Apply a partial update; return what changed as {field: (old, new)}."""
    changes = dict(changes)
    if "domain" in changes or ("website" in changes and not prospect.domain):
        changes["domain"] = normalize_domain(changes.get("domain") or changes.get("website", ""))
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    if "owner" in changes:
        ensure_member(workspace=prospect.workspace, user=changes["owner"])
    changed = apply_changes(prospect, changes, allowed=PROSPECT_FIELDS)
    with transaction.atomic():
        if changed:
            validate_model(prospect, exclude=["workspace", "owner"])
            save_or_conflict(
                prospect,
                f"A prospect with the domain {prospect.domain} already exists.",
                field="domain",
            )
        if tags is not None:
            tags_set(target=prospect, tags=tags_resolve(workspace=prospect.workspace, names=tags))
        if changed:
            events.announce(events.FieldsChanged(prospect, changed))
    return changed


def prospect_set_status(
    *, prospect: Prospect, status: str, only_from: Collection[str] | None = None
) -> bool:
    """Move the prospect to a status; False when it was already there.

    With `only_from`, the move happens only from one of those statuses, checked in the same
    UPDATE so that a concurrent change (say to MEETING) is never overwritten.
    """
    # One UPDATE: within a caller's transaction it needs no savepoint of its own.
    with transaction.atomic(savepoint=False):
        prospects = Prospect.objects.filter(pk=prospect.pk).exclude(status=status)
        if only_from is not None:
            prospects = prospects.filter(status__in=only_from)
        updated = prospects.update(status=status)
    if updated or only_from is None:
        prospect.status = status
    return bool(updated)


def prospect_delete(*, prospect: Prospect) -> None:
    with transaction.atomic():
        prospect.delete()


def contact_create(
    *,
    workspace: Workspace,
    prospect: Prospect,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    title: str = "",
    time_zone: str = "",
    custom_fields: dict[str, Any] | None = None,
    tags: list[str] | None = None,
) -> Contact:
    if prospect.workspace_id != workspace.pk:
        raise ValidationFailed.for_field("prospect_id", "No such prospect in this workspace.")
    contact = Contact(
        workspace=workspace,
        prospect=prospect,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=normalize_email(email),
        phone=phone.strip(),
        title=title.strip(),
        time_zone=time_zone.strip(),
        custom_fields=custom_fields or {},
    )
    if not (contact.full_name or contact.email):
        raise ValidationFailed.for_field("first_name", "Give the contact a name or an email.")
    with transaction.atomic():
        validate_model(contact, exclude=["workspace", "prospect"])
        save_or_conflict(
            contact, f"A contact with the email {contact.email} already exists.", field="email"
        )
        if tags:
            tags_set(target=contact, tags=tags_resolve(workspace=workspace, names=tags))
        events.announce(events.ContactCreated(contact))
    return contact


def contact_update(
    *, contact: Contact, changes: dict[str, Any], tags: list[str] | None = None
) -> dict[str, tuple[Any, Any]]:
    changes = dict(changes)
    if "email" in changes:
        changes["email"] = normalize_email(changes["email"])
    changed = apply_changes(contact, changes, allowed=CONTACT_FIELDS)
    with transaction.atomic():
        if changed:
            validate_model(contact, exclude=["workspace", "prospect"])
            save_or_conflict(
                contact, f"A contact with the email {contact.email} already exists.", field="email"
            )
        if tags is not None:
            tags_set(target=contact, tags=tags_resolve(workspace=contact.workspace, names=tags))
        if changed:
            # Opting out or bouncing ends the contact's sequences in this same transaction.
            events.announce(events.FieldsChanged(contact, changed))
    return changed


def contact_delete(*, contact: Contact) -> None:
    with transaction.atomic():
        contact.delete()


def normalize_domain(value: str) -> str:
    """'https://www.Stripe.com/about' -> 'stripe.com'."""
    value = value.strip().lower()
    if not value:
        return ""
    try:
        host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    except ValueError as exc:
        raise ValidationFailed.for_field("domain", f"{value!r} is not a domain name.") from exc
    return host.removeprefix("www.")


def normalize_website(value: str) -> str:
    """A website as typed, made fetchable: 'stripe.com' -> 'https://stripe.com'."""
    value = value.strip()
    if value and "//" not in value:
        value = f"https://{value}"
    return value


def normalize_email(value: str) -> str:
    return value.strip().lower()
