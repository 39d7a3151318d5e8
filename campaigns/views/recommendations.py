"""The recommended creators of a brief: the list with reasons, invite the top N, refresh."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from brands.permissions import require_org_manager
from campaigns.forms.recommendations import InviteTopForm
from campaigns.models import Campaign
from campaigns.recommendations import (
    CANDIDATE_FACTOR,
    EXPOSURE_MAX_BRIEFS,
    recommendation_rows,
    recommendations_invite_top,
)
from campaigns.selectors import organizations
from campaigns.services.briefs import queue_recommendations_refresh
from campaigns.views.briefs import _forbidden
from marketplace.errors import DomainError, PermissionDeniedError, ValidationFailed

DEFAULT_INVITE_COUNT = 10


def _page(request, campaign, membership, *, form=None, status=200):
    rows = recommendation_rows(campaign=campaign)
    if form is None:
        form = InviteTopForm(available=len(rows), initial={"count": min(DEFAULT_INVITE_COUNT, len(rows))})
    context = {
        "campaign": campaign,
        "organization": campaign.organization,
        "membership": membership,
        "can_edit": membership.can_edit_org(),
        "rows": rows,
        "form": form,
        "is_published": campaign.status == Campaign.Status.PUBLISHED,
        "exposure_max": EXPOSURE_MAX_BRIEFS,
        "candidate_factor": CANDIDATE_FACTOR,
    }
    return render(request, "campaigns/briefs/recommendations.html", context, status=status)


@login_required
def recommendation_list(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    return _page(request, campaign, membership)


@login_required
@require_POST
def recommendations_invite(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    form = InviteTopForm(request.POST, available=campaign.recommendations.count())
    if not form.is_valid():
        return _page(request, campaign, membership, form=form, status=400)
    try:
        batch = recommendations_invite_top(
            campaign=campaign,
            by_user=request.user,
            count=form.cleaned_data["count"],
            offered_fee=form.cleaned_data["offered_fee"],
            message=form.cleaned_data["message"],
        )
    except PermissionDeniedError as error:
        return _forbidden(request, campaign.organization, error.message)
    except ValidationFailed as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _page(request, campaign, membership, form=form, status=400)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("campaigns:recommendations", pk=campaign.pk)
    messages.success(
        request,
        ngettext(
            "Inviting the top %(count)s recommended creator. Progress shows below.",
            "Inviting the top %(count)s recommended creators. Progress shows below.",
            batch.total,
        )
        % {"count": batch.total},
    )
    return redirect("campaigns:campaign_manage", pk=campaign.pk)


@login_required
@require_POST
def recommendations_refresh(request, pk):
    campaign, _membership = organizations.campaign_for_member(user=request.user, pk=pk)
    try:
        require_org_manager(organization=campaign.organization_id, user=request.user)
    except PermissionDeniedError as error:
        return _forbidden(request, campaign.organization, error.message)
    queue_recommendations_refresh(campaign_id=campaign.pk)
    messages.success(request, _("The recommendations are being updated; reload the page in a moment."))
    return redirect("campaigns:recommendations", pk=campaign.pk)
