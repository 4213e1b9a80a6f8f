"""The sequences API's objects for the API-wide tenancy walk and query-count check."""

from outreach.models import OutreachSequence, OutreachStep, SequenceTemplate
from outreach.models import SequenceTemplateStep as TemplateStep
from outreach.sequences.services.enrollment import sequence_enroll
from tests.factories import ContactFactory, ProspectFactory, sequence_with_steps


def build(workspace, owner, mark, world) -> dict[str, int]:
    template = sequence_with_steps(
        workspace,
        {"channel": "call", "subject_template": f"Call about {mark}"},
        {"channel": "email", "delay_days": 2, "subject_template": f"Following up on {mark}"},
        name=f"{mark} sequence",
    )
    enrolled = ContactFactory(
        prospect_id=world["prospect_id"], workspace=workspace, first_name=f"{mark}Sam"
    )
    (enrollment,) = sequence_enroll(template=template, contacts=[enrolled], by=owner).enrolled
    return {"sequence_id": template.pk, "enrollment_id": enrollment.pk, "sender_id": owner.pk}


def rows(workspace) -> list:
    return [
        SequenceTemplate.objects.filter(workspace=workspace),
        TemplateStep.objects.filter(template__workspace=workspace),
        OutreachSequence.objects.filter(workspace=workspace),
        OutreachStep.objects.filter(sequence__workspace=workspace),
    ]


def populate(workspace, owner, n, ids) -> dict[str, int]:
    for _ in range(n):
        template = sequence_with_steps(
            workspace,
            {"channel": "call"},
            {"channel": "linkedin", "delay_days": 1},
            {"channel": "email", "delay_days": 2, "subject_template": "Hi {{contact.first_name}}"},
        )
        prospect = ProspectFactory(workspace=workspace, owner=owner)
        contact = ContactFactory(prospect=prospect)
        sequence_enroll(template=template, contacts=[contact], by=owner)
    return {}
