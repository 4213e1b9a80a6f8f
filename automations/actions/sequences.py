"""Enroll the contact in a sequence (cadence), through the cadence engine's enroll service.

A contact is in a sequence once at a time (a database constraint), so a run that repeats this
action after a crash finds the enrollment and skips instead of enrolling twice.
"""

from typing import Annotated, Any

from django import forms
from pydantic import Field

from automations.actions.base import Action, ActionCall, ActionError, ActionSkipped, Strict
from automations.actions.fields import pick
from automations.options import WorkspaceOptions
from config.errors import ValidationFailed
from config.schemas import MAX_ID
from outreach.models import SequenceTemplate
from outreach.sequences.services import enrollment as enrollment_services


class EnrollParams(Strict):
    sequence_id: Annotated[int, Field(ge=1, le=MAX_ID)]


class EnrollInSequence(Action):
    type = "enroll_in_sequence"
    label = "Enroll the contact in a sequence"
    Params = EnrollParams

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {"sequence_id": pick(options.sequences, "Sequence")}

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        sequence = options.sequence_name(params.get("sequence_id"))
        return f"Enroll the contact in the sequence “{sequence}”"

    def check(self, params, *, workspace):
        if not SequenceTemplate.objects.filter(
            workspace=workspace, pk=params["sequence_id"]
        ).exists():
            raise ValidationFailed.for_field("sequence_id", "No such sequence in this workspace.")

    def perform(self, call: ActionCall) -> dict[str, Any]:
        contact = call.record("contact")
        template = SequenceTemplate.objects.filter(
            workspace=call.workspace, pk=call.params["sequence_id"]
        ).first()
        if template is None:
            raise ActionError("The sequence was deleted; choose another one in the automation.")
        report = enrollment_services.sequence_enroll(template=template, contacts=[contact], by=None)
        if not report.enrolled:
            _, reason = report.skipped[0]
            raise ActionSkipped(reason)
        return {"sequence": template.name, "enrollment": report.enrolled[0].pk}
