"""Web pages for one invitation: the creator accepts, declines or counters; the organization
answers a counter-offer or withdraws the invitation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.permissions import membership_of
from campaigns import visibility
from campaigns.forms.offers import CounterForm, ReasonForm
from campaigns.models import Invitation
from campaigns.services import invitation_answers as answer_services
from campaigns.views.common import _accept_block, _acceptance, _attempt
from marketplace.errors import DomainError


def _invitation_for(request: HttpRequest, pk: int) -> Invitation:
    """The creator's own invitation, or one sent by the user's organization; else 404."""
    queryset = visibility.invitations_visible_to(request.user).select_related(
        "campaign__organization", "creator__user", "invited_by"
    )
    return get_object_or_404(queryset, pk=pk)


def _invitation_page(
    request: HttpRequest, invitation: Invitation, *, counter_form=None, status: int = 200
) -> HttpResponse:
    is_creator = invitation.creator.user_id == request.user.pk
    membership = membership_of(organization=invitation.campaign.organization_id, user=request.user)
    can_manage = membership is not None and membership.can_edit_org()
    pending = invitation.status == Invitation.Status.PENDING and not invitation.is_expired
    countered = invitation.status == Invitation.Status.COUNTERED and not invitation.is_expired
    campaign = invitation.campaign
    accept_block = counter_block = None
    if (is_creator and pending) or (can_manage and countered):
        acceptance = _acceptance(campaign)
        # The creator cannot fund the campaign: they see that the organization has to.
        accept_block = {"reason": acceptance["reason"], "top_up": None, "money_link": False}
        if is_creator and pending:
            fee = invitation.offered_fee or 0
            if _accept_block(acceptance, campaign=campaign, offer="", fee=fee)["money_link"]:
                accept_block["reason"] = _(
                    "%(organization)s has not put this fee in escrow yet. You can accept once it has; "
                    "you can still decline or propose another fee."
                ) % {"organization": campaign.organization.name}
        if can_manage and countered:
            counter_block = _accept_block(
                acceptance, campaign=campaign, offer=f"invitation:{invitation.pk}", fee=invitation.counter_fee
            )
    return render(
        request,
        "campaigns/offers/invitation_detail.html",
        {
            "invitation": invitation,
            "campaign": invitation.campaign,
            "is_creator": is_creator,
            "membership": membership,
            "can_answer": is_creator and pending,
            "can_answer_counter": can_manage and countered,
            "accept_block": accept_block,
            "counter_block": counter_block,
            "can_revoke": can_manage and invitation.is_open,
            # A volunteer brief pays no fee, so there is nothing to counter.
            "counter_form": counter_form
            or (CounterForm(invitation=invitation) if is_creator and pending and campaign.is_paid else None),
            "reason_form": ReasonForm(),
            "collaboration": getattr(invitation, "collaboration", None),
        },
        status=status,
    )


@login_required
def invitation_detail(request, pk):
    return _invitation_page(request, _invitation_for(request, pk))


def _invitation_action(
    request: HttpRequest, pk: int, action, success: str, *, starts_collaboration: bool = False
) -> HttpResponse:
    invitation = _invitation_for(request, pk)
    try:
        result = action(invitation=invitation, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("campaigns:invitation_detail", pk=invitation.pk)
    messages.success(request, success % {"campaign": invitation.campaign.title})
    if starts_collaboration:
        return redirect(result)
    return redirect("campaigns:invitation_detail", pk=invitation.pk)


@login_required
@require_POST
def invitation_accept(request, pk):
    return _invitation_action(
        request,
        pk,
        answer_services.invitation_accept,
        _("You accepted the invitation to “%(campaign)s”. The collaboration has started."),
        starts_collaboration=True,
    )


@login_required
@require_POST
def invitation_decline(request, pk):
    return _invitation_action(
        request,
        pk,
        answer_services.invitation_decline,
        _("You declined the invitation to “%(campaign)s”."),
    )


@login_required
@require_POST
def invitation_counter(request, pk):
    invitation = _invitation_for(request, pk)
    form = CounterForm(request.POST, invitation=invitation)
    if form.is_valid():
        try:
            answer_services.invitation_counter(
                invitation=invitation,
                by_user=request.user,
                fee=form.cleaned_data["fee"],
                message=form.cleaned_data["message"],
            )
        except DomainError as error:
            if error.field in form.fields:
                form.add_domain_error(error)
            else:
                messages.error(request, error.message)
                return redirect("campaigns:invitation_detail", pk=invitation.pk)
        else:
            messages.success(
                request, _("Your counter-offer was sent. The organization has a week to answer.")
            )
            return redirect("campaigns:invitation_detail", pk=invitation.pk)
    return _invitation_page(request, invitation, counter_form=form, status=400)


@login_required
@require_POST
def invitation_counter_accept(request, pk):
    return _invitation_action(
        request,
        pk,
        answer_services.invitation_counter_accept,
        _("You accepted the counter-offer on “%(campaign)s”. The collaboration has started."),
        starts_collaboration=True,
    )


@login_required
@require_POST
def invitation_counter_decline(request, pk):
    return _invitation_action(
        request,
        pk,
        answer_services.invitation_counter_decline,
        _(
            "You declined the counter-offer on “%(campaign)s”. The creator can still take your original offer."
        ),
    )


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = _invitation_for(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Keep the reason under 1000 characters."))
        return redirect("campaigns:invitation_detail", pk=invitation.pk)
    _attempt(
        request,
        lambda: answer_services.invitation_revoke(
            invitation=invitation, by_user=request.user, reason=form.cleaned_data["reason"]
        ),
        _("You withdrew the invitation to “%(campaign)s”.") % {"campaign": invitation.campaign.title},
    )
    return redirect("campaigns:invitation_detail", pk=invitation.pk)
