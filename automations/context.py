"""What a rule can read: the event, and fresh copies of the records it names, by dotted path
(`contact.first_name`, `deal.value`, `event.from_stage.name`), for conditions and for the
`{{ variables }}` in action parameters."""

import re
from decimal import Decimal
from typing import Any

from outreach.models import Contact, Deal, OutreachLog, Prospect

# The records a path can start with, and what each offers (besides custom_fields.<key>).
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": (
        "id",
        "first_name",
        "last_name",
        "full_name",
        "email",
        "phone",
        "title",
        "outreach_status",
        "time_zone",
        "tags",
    ),
    "prospect": ("id", "name", "domain", "website", "status", "owner", "tags"),
    "deal": ("id", "name", "value", "pipeline", "stage", "owner", "tags"),
    "task": ("id", "subject", "channel", "status", "priority", "due_at", "outcome", "call_outcome"),
    "tag": ("id", "name"),
}
ROOTS = (*RECORD_FIELDS, "event")
CUSTOMIZABLE = ("contact", "prospect", "deal")

_VARIABLE = re.compile(r"\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}")


class RuleContext:
    """The event plus its records, each loaded from the database on first use and kept.

    Records are read at the time of the action, not of the event: a deal's value two days after
    it moved to Proposal is what a delayed action sees. A record that was deleted reads as empty.
    """

    def __init__(self, *, workspace_id: int, event_type: str, payload: dict[str, Any]):
        self.workspace_id = workspace_id
        self.event_type = event_type
        self.payload = payload
        self._objects: dict[str, Any] = {}
        self._records: dict[str, dict[str, Any] | None] = {}

    # --- model instances, for actions -----------------------------------------------------------

    def contact(self) -> Contact | None:
        return self._object("contact", Contact.objects.select_related("prospect"))

    def prospect(self) -> Prospect | None:
        if "prospect" not in self._objects:
            contact = self.contact() if self.entity_id("contact") else None
            wanted = self.entity_id("prospect")
            if contact is not None and wanted in (None, contact.prospect_id):
                # Loaded with the contact already.
                self._objects["prospect"] = contact.prospect
        return self._object("prospect", Prospect.objects.all())

    def deal(self) -> Deal | None:
        return self._object("deal", Deal.objects.select_related("pipeline", "stage", "prospect"))

    def task(self) -> OutreachLog | None:
        return self._object("task", OutreachLog.objects.select_related("prospect", "contact"))

    def know(self, name: str, obj: Any) -> None:
        """Take `obj` as the record `name` (read for many runs at once) until `forget`."""
        self._objects[name] = obj

    def entity_id(self, name: str) -> int | None:
        entity = self.payload.get(name)
        return entity.get("id") if isinstance(entity, dict) else None

    def _object(self, name: str, queryset) -> Any:
        if name not in self._objects:
            pk = self.entity_id(name)
            found = queryset.filter(workspace_id=self.workspace_id, pk=pk)[:1] if pk else []
            self._objects[name] = next(iter(found), None)
        return self._objects[name]

    def forget(self) -> None:
        """Drop what was loaded, so the next action sees the changes the last one made."""
        self._objects.clear()
        self._records.clear()

    # --- dotted paths, for conditions and variables ---------------------------------------------

    def resolve(self, path: str) -> Any:
        root, *rest = path.split(".")
        if root == "event":
            value: Any = {"type": self.event_type, **self.payload}
        elif root in RECORD_FIELDS:
            value = self._record(root)
        else:
            return None
        if rest == ["tags"] and isinstance(value, dict) and "tags" not in value:
            # Tags cost a query of their own: read only when a rule asks for them.
            obj = getattr(self, root)()
            value["tags"] = sorted(obj.tags.values_list("name", flat=True))
        for part in rest:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value

    def render(self, template: str) -> str:
        """Fill in `{{ path }}` variables; an unknown or empty one becomes an empty string."""
        return _VARIABLE.sub(lambda match: _as_text(self.resolve(match.group(1))), template)

    def _record(self, name: str) -> dict[str, Any] | None:
        if name not in self._records:
            self._records[name] = self._load_record(name)
        return self._records[name]

    def _load_record(self, name: str) -> dict[str, Any] | None:
        if name == "tag":
            return self.payload.get("tag")
        obj = getattr(self, name)()
        if obj is None:
            return None
        if name == "contact":
            record = {field: getattr(obj, field) for field in RECORD_FIELDS["contact"][:-1]}
        elif name == "prospect":
            record = {
                "id": obj.pk,
                "name": obj.name,
                "domain": obj.domain,
                "website": obj.website,
                "status": obj.status,
                "owner": obj.owner.get_username() if obj.owner_id else "",
            }
        elif name == "deal":
            record = {
                "id": obj.pk,
                "name": obj.name,
                "value": obj.value,
                "pipeline": obj.pipeline.name,
                "stage": obj.stage.name,
                "owner": obj.owner.get_username() if obj.owner_id else "",
            }
        else:
            record = {
                "id": obj.pk,
                "subject": obj.subject,
                "channel": obj.channel,
                "status": obj.status,
                "priority": obj.priority_label,
                "due_at": obj.due_at.isoformat() if obj.due_at else None,
                "outcome": obj.metadata.get("outcome", ""),
                "call_outcome": obj.metadata.get("callOutcome", ""),
            }
        if hasattr(obj, "custom_fields"):
            record["custom_fields"] = obj.custom_fields
        return record


def variables_in(template: str) -> list[str]:
    return _VARIABLE.findall(template)


def check_path(path: str) -> str | None:
    """Why a dotted path cannot be read, or None when it is fine."""
    root, _, rest = path.partition(".")
    if root not in ROOTS:
        return f"{path!r} must start with one of: {', '.join(ROOTS)}."
    if root == "event":
        return None
    if not rest:
        return f"Say which field of {root} to use, e.g. {root}.{RECORD_FIELDS[root][1]}."
    field, _, key = rest.partition(".")
    if field == "custom_fields" and root in CUSTOMIZABLE:
        return None if key else f"Name the custom field: {root}.custom_fields.<name>."
    if field in RECORD_FIELDS[root] and not key:
        return None
    return f"{root} has no field {rest!r}."


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # 12000.00 reads as 12000, 99.50 as 99.5: plain numbers, fit for text and for fields.
        return format(value.normalize(), "f")
    if isinstance(value, list):
        return ", ".join(_as_text(item) for item in value)
    return str(value)
