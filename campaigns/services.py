"""Every write of the campaigns app: a campaign with its prospects, its launch, retrying a
failed video, and a prospect playing their video."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignProspect, OfflineVoice
from campaigns.pipeline import video_pipeline
from config.errors import Conflict, ValidationFailed
from config.validation import validate_model
from outreach.crm.services.prospects import (
    contact_create,
    normalize_domain,
    normalize_email,
    normalize_website,
    prospect_create,
)
from outreach.crm.services.tasks import activity_record
from outreach.models import Activity, Contact, Prospect, Workspace

MAX_PROSPECTS = 500


@dataclass(frozen=True)
class ExistingTarget:
    """A prospect already in the CRM; the video speaks to `contact` (or their first contact)."""

    prospect: Prospect
    contact: Contact | None = None


@dataclass(frozen=True)
class NewTarget:
    """A prospect to add: the company, its website, and the person the video speaks to."""

    company: str
    website: str = ""
    contact_name: str = ""
    contact_title: str = ""
    contact_email: str = ""


def campaign_create(
    *,
    workspace: Workspace,
    name: str,
    sender_name: str,
    targets: list[ExistingTarget | NewTarget],
    brief: str = "",
    voice_id: str = "",
    offline_voice: str = OfflineVoice.US_MALE,
    words_per_minute: int = 165,
    by: User | None = None,
) -> Campaign:
    """Create a draft campaign and its prospects (new ones added to the CRM), all or nothing."""
    if not targets:
        raise ValidationFailed.for_field("prospects", "A campaign needs at least one prospect.")
    if len(targets) > MAX_PROSPECTS:
        raise ValidationFailed.for_field(
            "prospects", f"A campaign can have at most {MAX_PROSPECTS} prospects."
        )
    campaign = Campaign(
        workspace=workspace,
        name=name.strip(),
        brief=brief.strip(),
        sender_name=sender_name.strip(),
        voice_id=voice_id.strip(),
        offline_voice=offline_voice,
        words_per_minute=words_per_minute,
        created_by=by,
    )
    with transaction.atomic():
        validate_model(campaign, exclude=["workspace", "created_by"])
        campaign.save()
        entries: dict[int, CampaignProspect] = {}
        for index, target in enumerate(targets):
            prospect, contact = _resolve(workspace, target, index)
            if prospect.pk in entries:
                raise ValidationFailed.for_field(
                    "prospects", f"{prospect.name} is on the list twice."
                )
            entries[prospect.pk] = CampaignProspect(
                workspace=workspace, campaign=campaign, prospect=prospect, contact=contact
            )
        CampaignProspect.objects.bulk_create(entries.values())
        campaign.total_prospects = len(entries)
        campaign.save(update_fields=["total_prospects"])
    return campaign


def _resolve(
    workspace: Workspace, target: ExistingTarget | NewTarget, index: int
) -> tuple[Prospect, Contact | None]:
    if isinstance(target, ExistingTarget):
        contact = target.contact
        if contact is not None and contact.prospect_id != target.prospect.pk:
            raise ValidationFailed.for_field(
                "prospects", f"Prospect {index + 1}: the contact must work at the prospect."
            )
        if contact is None:
            contact = target.prospect.contacts.order_by("pk").first()
        return target.prospect, contact

    company = target.company.strip()
    if not company:
        raise ValidationFailed.for_field(
            "prospects", f"Prospect {index + 1}: give a prospect id, or a new company's name."
        )
    website = normalize_website(target.website)
    domain = normalize_domain(website)
    prospect = (
        Prospect.objects.filter(workspace=workspace, domain=domain).first() if domain else None
    )
    if prospect is None:
        prospect = prospect_create(workspace=workspace, name=company, website=website)
    email = normalize_email(target.contact_email)
    contact = Contact.objects.filter(workspace=workspace, email=email).first() if email else None
    if contact is not None and contact.prospect_id != prospect.pk:
        raise ValidationFailed.for_field(
            "prospects", f"Prospect {index + 1}: {email} is a contact at another company."
        )
    if contact is None and (target.contact_name.strip() or email):
        first, _, last = target.contact_name.strip().partition(" ")
        contact = contact_create(
            workspace=workspace,
            prospect=prospect,
            first_name=first,
            last_name=last,
            title=target.contact_title,
            email=email,
        )
    return prospect, contact


def campaign_launch(*, campaign: Campaign) -> Campaign:
    """Start making every prospect's video. Only a draft can be launched, once."""
    now = timezone.now()
    with transaction.atomic():
        launched = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).update(
            status=Campaign.Status.RUNNING,
            launched_at=now,
            updated_at=now,
            total_prospects=campaign.campaign_prospects.count(),
        )
        if not launched:
            raise Conflict("Campaign already launched")
        campaign.campaign_prospects.filter(status=CampaignProspect.Status.QUEUED).update(
            run_due_at=now
        )
        video_pipeline().start()
    campaign.refresh_from_db()
    return campaign


def campaign_prospect_retry(*, campaign_prospect: CampaignProspect) -> CampaignProspect:
    """Make a failed video again from the step that failed."""
    video_pipeline().retry(campaign_prospect=campaign_prospect)
    campaign_prospect.refresh_from_db()
    return campaign_prospect


def video_watched_record(*, play: Activity, share: float) -> Activity:
    """How much of the video the prospect watched on this play (0 to 1): the furthest they got,
    so a later, shorter report (a pause before where they had been) never lowers it."""
    if not 0 <= share <= 1:
        raise ValidationFailed.for_field("watched", "A share of the video, from 0 to 1.")
    watched = max(float(play.metadata.get("watched", 0)), round(share, 3))
    if play.metadata.get("watched") != watched:
        play.metadata = play.metadata | {"watched": watched}
        play.save(update_fields=["metadata"])
    return play


def video_play_record(
    *, campaign_prospect: CampaignProspect, occurred_at: datetime | None = None
) -> Activity:
    """A prospect played their video (on their wizard page): engagement for scoring."""
    if not campaign_prospect.video:
        raise ValidationFailed("This video is not ready yet.")
    return activity_record(
        workspace=campaign_prospect.workspace,
        prospect=campaign_prospect.prospect,
        contact=campaign_prospect.contact,
        kind=Activity.Kind.VIDEO_PLAY,
        occurred_at=occurred_at,
        metadata={
            "campaignId": campaign_prospect.campaign_id,
            "campaignProspectId": campaign_prospect.pk,
        },
    )
