"""Web pages for sending invitations: the invite form (answered inline, or as a background batch
when there are many creators) and the batch's progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from brands.verification_limits import unverified_limits_notice
from campaigns import visibility
from campaigns.forms.offers import InviteForm
from campaigns.models import Campaign, Invitation, InvitationBatch
from campaigns.selectors import organizations
from campaigns.services import invitation_batches as batch_services
from campaigns.services import invitations as invitation_services
from campaigns.services.invitation_terms import INVITATION_TTL_DAYS
from campaigns.views.common import GET_POST
from marketplace.errors import DomainError


def _forbidden(request: HttpRequest, campaign: Campaign, message: str) -> HttpResponse:
    return render(
        request, "campaigns/offers/forbidden.html", {"campaign": campaign, "message": message}, status=403
    )


@login_required
@GET_POST
def invite(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    if not membership.can_edit_org():
        return _forbidden(
            request, campaign, _("Only owners and managers of the organization can invite creators.")
        )
    initial = {"creators": request.GET.get("creator", "")}
    form = InviteForm(request.POST or None, campaign=campaign, initial=initial)
    report = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            lines = form.cleaned_data["creators"]
            found = [line.creator for line in lines if line.creator is not None]
            if len(found) > batch_services.INLINE_INVITE_LIMIT:
                return _invite_in_background(request, campaign, form, lines, found)
            try:
                results = (
                    invitation_services.invitation_create_many(
                        campaign=campaign,
                        by_user=request.user,
                        creators=found,
                        offered_fee=form.cleaned_data["offered_fee"],
                        message=form.cleaned_data["message"],
                    )
                    if found
                    else []
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                status = 200
                by_creator = {result.creator_id: result for result in results}
                report = []
                for line in lines:
                    result = by_creator.get(line.creator.pk) if line.creator else None
                    report.append(
                        {
                            "line": line.text,
                            "creator": line.creator,
                            "status": result.status if result else "unknown",
                            "message": result.message if result else line.problem,
                            "invitation": result.invitation if result else None,
                        }
                    )
                invited = sum(1 for row in report if row["status"] == invitation_services.INVITED)
                messages.success(request, _("Invitations sent: %(count)s.") % {"count": invited})
                form = InviteForm(campaign=campaign)
    return _invite_page(request, campaign, form, report=report, status=status)


def _invite_page(request: HttpRequest, campaign: Campaign, form: InviteForm, *, report=None, status=200):
    open_invitations = (
        visibility.invitations_visible_to(request.user)
        .filter(campaign=campaign, status__in=Invitation.OPEN)
        .select_related("creator")
        .order_by("expires_at", "pk")
    )
    return render(
        request,
        "campaigns/offers/invite.html",
        {
            "campaign": campaign,
            "form": form,
            "report": report,
            "open_invitations": open_invitations,
            "ttl_days": INVITATION_TTL_DAYS,
            "inline_limit": batch_services.INLINE_INVITE_LIMIT,
            "limits": unverified_limits_notice(campaign.organization, campaign=campaign),
        },
        status=status,
    )


def _invite_in_background(request: HttpRequest, campaign: Campaign, form: InviteForm, lines, found):
    """Too many creators to answer inline: start a batch and follow it on the campaign page."""
    try:
        batch = batch_services.invitation_batch_start(
            campaign=campaign,
            by_user=request.user,
            creator_ids=[creator.pk for creator in found],
            offered_fee=form.cleaned_data["offered_fee"],
            message=form.cleaned_data["message"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _invite_page(request, campaign, form, status=400)
    if batch.status == InvitationBatch.Status.DONE:
        messages.info(request, _("You already sent these invitations; the results are below."))
    else:
        messages.success(
            request,
            ngettext(
                "Inviting %(count)s creator in the background; follow the progress below.",
                "Inviting %(count)s creators in the background; follow the progress below.",
                batch.total,
            )
            % {"count": batch.total},
        )
    unknown = [line.text for line in lines if line.creator is None]
    if unknown:
        messages.warning(
            request,
            _("These lines match no creator and were left out: %(lines)s") % {"lines": ", ".join(unknown)},
        )
    return redirect(reverse("campaigns:campaign_manage", args=[campaign.pk]) + "#invitation-batches")


@login_required
@require_GET
def invitation_batch_status(request, pk):
    """Progress of a bulk invitation as JSON, for the campaign page to poll; members only, else 404."""
    batch = get_object_or_404(visibility.invitation_batches_visible_to(request.user), pk=pk)
    return JsonResponse(
        {
            "id": batch.pk,
            "status": batch.status,
            "status_display": batch.get_status_display(),
            "active": batch.is_active,
            "total": batch.total,
            "processed": batch.processed,
            "invited": batch.invited,
            "skipped": batch.skipped,
            "counts": batch.results.get("counts", {}),
            "error": batch.error,
        }
    )
