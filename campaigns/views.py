"""Campaign pages: the list, a new campaign, and a campaign's live progress with its videos."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from campaigns import selectors, services
from campaigns.forms import CampaignForm
from campaigns.models import Campaign, CampaignProspect
from config.errors import ApplicationError
from config.pagination import dashboard_page
from outreach.workspaces.access import member_required


@member_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list(workspace=request.workspace)
    page = dashboard_page(request, campaigns)
    return render(request, "campaigns/campaign_list.html", {"page": page})


@member_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    initial = {
        "sender_name": request.user.get_full_name() or request.user.get_username(),
    }
    form = CampaignForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        targets = [services.ExistingTarget(prospect=p) for p in data["prospects"]]
        targets += data["new_prospects"]
        try:
            campaign = services.campaign_create(
                workspace=request.workspace,
                name=data["name"],
                brief=data["brief"],
                sender_name=data["sender_name"],
                voice_id=data["voice_id"],
                offline_voice=data["offline_voice"],
                words_per_minute=data["words_per_minute"],
                targets=targets,
                by=request.user,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Campaign saved as a draft. Launch it when you are ready.")
            return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "campaigns/campaign_form.html", {"form": form}, status=status)


@member_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign_or_404(request, campaign_id)
    progress = selectors.campaign_progress(campaign=campaign)
    return render(request, "campaigns/campaign_detail.html", {"progress": progress})


@member_required
def campaign_progress(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The live part of the campaign page, polled by htmx while the campaign runs."""
    campaign = _campaign_or_404(request, campaign_id)
    progress = selectors.campaign_progress(campaign=campaign)
    return render(request, "campaigns/partials/progress.html", {"progress": progress})


@member_required
@require_POST
def campaign_launch(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign_or_404(request, campaign_id)
    try:
        services.campaign_launch(campaign=campaign)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        count = campaign.total_prospects
        messages.success(request, f"Launched: {count} video{pluralize(count)} on the way.")
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


@member_required
@require_POST
def campaign_prospect_retry(
    request: HttpRequest, campaign_id: int, campaign_prospect_id: int
) -> HttpResponse:
    campaign = _campaign_or_404(request, campaign_id)
    entry = CampaignProspect.objects.filter(campaign=campaign, pk=campaign_prospect_id).first()
    if entry is None:
        raise Http404("No such prospect in this campaign.")
    try:
        services.campaign_prospect_retry(campaign_prospect=entry)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if request.htmx:
        progress = selectors.campaign_progress(campaign=_campaign_or_404(request, campaign_id))
        return render(request, "campaigns/partials/progress.html", {"progress": progress})
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


def _campaign_or_404(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = (
        Campaign.objects.select_related("workspace")
        .filter(workspace=request.workspace, pk=campaign_id)
        .first()
    )
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign
