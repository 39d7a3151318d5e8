"""The recommended creators of a brief: the list with reasons, invite the top N, refresh."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from brands.permissions import require_org_manager
from campaigns.forms.recommendations import InviteTopForm, MinimumScoreForm
from campaigns.models import Campaign
from campaigns.recommendations import (
    EXPOSURE_MAX_BRIEFS,
    EXPOSURE_PENALTY,
    per_brief,
    recommendation_page,
    recommendations_invite_top,
    recommendations_minimum_set,
)
from campaigns.selectors import organizations
from campaigns.services.briefs import queue_recommendations_refresh
from campaigns.views.briefs import _forbidden
from marketplace.errors import DomainError, PermissionDeniedError, ValidationFailed

DEFAULT_INVITE_COUNT = 10


def _page(request, campaign, membership, *, form=None, minimum_form=None, status=200):
    page = recommendation_page(campaign=campaign)
    rows, related_rows = page.rows, page.related_rows
    if form is None:
        form = InviteTopForm(available=len(rows), initial={"count": min(DEFAULT_INVITE_COUNT, len(rows))})
    if minimum_form is None:
        minimum_form = MinimumScoreForm(initial={"min_match_score": campaign.min_match_score})
    context = {
        "campaign": campaign,
        "organization": campaign.organization,
        "membership": membership,
        "can_edit": membership.can_edit_org(),
        "rows": rows,
        "form": form,
        "is_published": campaign.status == Campaign.Status.PUBLISHED,
        "exposure_max": EXPOSURE_MAX_BRIEFS,
        "exposure_points": EXPOSURE_PENALTY // 10_000,
        "related_rows": related_rows,
        "minimum_form": minimum_form,
        "target": per_brief(),
        "niche_names": ", ".join(page.niche_names),
        "short_of_target": bool(page.niche_names) and len(rows) < per_brief(),
        "nano_share": page.nano_share,
        "nano_every": round(100 / page.nano_share) if page.nano_share else 0,
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
    form = InviteTopForm(request.POST, available=campaign.recommendations.filter(related=False).count())
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


@login_required
@require_POST
def recommendations_minimum(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    form = MinimumScoreForm(request.POST)
    if not form.is_valid():
        return _page(request, campaign, membership, minimum_form=form, status=400)
    try:
        recommendations_minimum_set(
            campaign=campaign, by_user=request.user, min_match_score=form.cleaned_data["min_match_score"]
        )
    except PermissionDeniedError as error:
        return _forbidden(request, campaign.organization, error.message)
    except ValidationFailed as error:
        form.add_error("min_match_score", error.message)
        return _page(request, campaign, membership, minimum_form=form, status=400)
    messages.success(request, _("Minimum match score saved; the recommendations are being updated."))
    return redirect("campaigns:recommendations", pk=campaign.pk)
