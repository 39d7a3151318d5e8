"""Web pages for applications and invitations: apply, review applicants, invite, answer, and the
creator's own list. Views check the input, call one service, and show what happened."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brands.permissions import membership_of
from campaigns import selectors, visibility
from campaigns.eligibility import check_eligibility
from campaigns.forms.offers import (
    ApplicantFilterForm,
    ApplicationForm,
    CounterForm,
    InviteForm,
    ReasonForm,
    fee_hint,
)
from campaigns.models import Application, Campaign, Invitation, InvitationBatch
from campaigns.services import applications as application_services
from campaigns.services import invitation_batches as batch_services
from campaigns.services import invitations as invitation_services
from campaigns.services.collaborations import acceptance_refusal, slots_taken
from creators.models import CreatorProfile, SocialAccount
from marketplace.errors import DomainError
from marketplace.money import format_money
from payments.services import escrow

GET_POST = require_http_methods(["GET", "POST"])
APPLICANTS_PER_PAGE = 25


def _forbidden(request: HttpRequest, campaign: Campaign, message: str) -> HttpResponse:
    return render(
        request, "campaigns/offers/forbidden.html", {"campaign": campaign, "message": message}, status=403
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Return to the page the form was on (kept in `next`), if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _attempt(request: HttpRequest, call: Callable[[], object], success: str) -> None:
    """Run one service call; show its refusal as an error, or `success`."""
    try:
        call()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


def _application_for(request: HttpRequest, pk: int) -> Application:
    """The creator's own application, or one on a campaign of the user's organization; else 404."""
    queryset = visibility.applications_visible_to(request.user).select_related(
        "campaign__organization", "creator__user"
    )
    return get_object_or_404(queryset, pk=pk)


def _invitation_for(request: HttpRequest, pk: int) -> Invitation:
    """The creator's own invitation, or one sent by the user's organization; else 404."""
    queryset = visibility.invitations_visible_to(request.user).select_related(
        "campaign__organization", "creator__user", "invited_by"
    )
    return get_object_or_404(queryset, pk=pk)


# Applying


@login_required
@GET_POST
def apply(request, pk):
    campaign = selectors.brief_for_viewer(user=request.user, pk=pk)
    profile = selectors.creator_for_browsing(user=request.user)
    if profile is None:
        return render(
            request,
            "campaigns/offers/apply.html",
            {"campaign": campaign, "not_creator": True},
            status=403 if request.method == "POST" else 200,
        )

    form = ApplicationForm(request.POST or None, campaign=campaign)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = application_services.application_create(
                    campaign=campaign,
                    creator=profile,
                    by_user=request.user,
                    pitch=form.cleaned_data["pitch"],
                    proposed_fee=form.cleaned_data["proposed_fee"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                if application.is_counter_offer:
                    messages.success(
                        request,
                        _("Your application to “%(campaign)s” was sent with a counter-offer.")
                        % {"campaign": campaign.title},
                    )
                else:
                    messages.success(
                        request,
                        _("Your application to “%(campaign)s” was sent.") % {"campaign": campaign.title},
                    )
                return redirect("campaigns:my_offers")
        status = 400
    context = {
        "campaign": campaign,
        "form": form,
        "eligibility": check_eligibility(campaign=campaign, creator=profile),
        "refusal": application_services.application_refusal(campaign=campaign, creator=profile),
        "fee_hint": fee_hint(campaign),
    }
    return render(request, "campaigns/offers/apply.html", context, status=status)


@login_required
@require_POST
def application_withdraw(request, pk):
    application = _application_for(request, pk)
    _attempt(
        request,
        lambda: application_services.application_withdraw(application=application, by_user=request.user),
        _("You withdrew your application to “%(campaign)s”.") % {"campaign": application.campaign.title},
    )
    return _back(request, reverse("campaigns:my_offers"))


@login_required
def my_offers(request):
    profile = CreatorProfile.objects.filter(user=request.user).first()
    if profile is None:
        messages.info(request, _("Create your creator profile first."))
        return redirect("creators:onboarding")
    applications = (
        visibility.applications_visible_to(request.user)
        .filter(creator=profile)
        .select_related("campaign__organization", "collaboration")
        .order_by("-created_at", "-pk")
    )
    invitations = (
        visibility.invitations_visible_to(request.user)
        .filter(creator=profile)
        .select_related("campaign__organization", "collaboration")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "campaigns/offers/my_offers.html",
        {"profile": profile, "applications": applications, "invitations": invitations},
    )


# Reviewing applicants


def _applicants(request: HttpRequest, campaign: Campaign, filters: dict) -> QuerySet[Application]:
    """Applications with each creator's biggest account on the brief's platforms (sortable)."""
    accounts = SocialAccount.objects.filter(profile=OuterRef("creator_id"))
    if campaign.platforms:
        accounts = accounts.filter(platform__in=campaign.platforms)
    accounts = accounts.order_by("-followers", "id")
    queryset = (
        visibility.applications_visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("creator__user", "collaboration")
        .prefetch_related(
            Prefetch("creator__social_accounts", queryset=SocialAccount.objects.order_by("-followers", "id"))
        )
        .annotate(
            best_followers=Subquery(accounts.values("followers")[:1]),
            best_engagement=Subquery(accounts.values("engagement_rate")[:1]),
            fee_asked=Coalesce("proposed_fee", Value(campaign.brief_fee)),
        )
    )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("counter_offers"):
        queryset = queryset.filter(is_counter_offer=True)
    ordering = {
        "followers": (F("best_followers").desc(nulls_last=True), "-pk"),
        "engagement": (F("best_engagement").desc(nulls_last=True), "-pk"),
        "fee": (F("fee_asked").asc(), "-pk"),
    }.get(filters.get("sort") or "", ("-created_at", "-pk"))
    return queryset.order_by(*ordering)


def _acceptance(campaign: Campaign) -> dict:
    """Whether the organization can accept anyone on the campaign now, and why not (a fixed number
    of queries): the slots taken, a campaign-wide reason, and the escrow and its top-ups."""
    taken = slots_taken(campaign)
    reason = acceptance_refusal(campaign, taken=taken)
    acceptance = {"taken": taken, "reason": reason, "state": None, "top_ups": {}}
    if not reason and campaign.is_paid:
        state = escrow.funding_state(campaign)
        acceptance["state"] = state
        acceptance["top_ups"] = {t.offer: t for t in escrow.funding_top_ups(campaign, state=state)}
    return acceptance


def _accept_block(acceptance: dict, *, campaign: Campaign, offer: str, fee) -> dict:
    """Why Accept is disabled for one offer ("" when it is not), and where the money is found."""
    block = {"reason": acceptance["reason"], "top_up": None, "money_link": False}
    if block["reason"]:
        return block
    if not campaign.is_paid:
        if fee > 0:
            block["reason"] = _("A volunteer brief pays no fee: decline this offer.")
        return block
    state = acceptance["state"]
    available = state.totals["available"]
    if fee <= available:
        return block
    block["money_link"] = True
    block["top_up"] = acceptance["top_ups"].get(offer)
    if block["top_up"] is not None:
        block["reason"] = _("Accepting needs %(amount)s more in escrow. Top it up first.") % {
            "amount": format_money(block["top_up"].amount, campaign.currency)
        }
    elif state.processing > 0:
        block["reason"] = _("Stripe is confirming your payment. Accept once it is in escrow.")
    else:
        block["reason"] = _(
            "Fund the campaign first: accepting needs %(fee)s in escrow and %(available)s is available."
        ) % {
            "fee": format_money(fee, campaign.currency),
            "available": format_money(available, campaign.currency),
        }
    return block


def _applicant_row(application: Application, campaign: Campaign, acceptance: dict) -> dict:
    creator = application.creator
    accounts = [
        a for a in creator.social_accounts.all() if not campaign.platforms or a.platform in campaign.platforms
    ]
    fee = application.proposed_fee if application.proposed_fee is not None else campaign.brief_fee
    return {
        "application": application,
        "creator": creator,
        "account": accounts[0] if accounts else None,
        "eligibility": check_eligibility(campaign=campaign, creator=creator),
        "accept": _accept_block(acceptance, campaign=campaign, offer=f"application:{application.pk}", fee=fee)
        if application.is_open
        else None,
    }


@login_required
def applicants(request, pk):
    campaign, membership = selectors.campaign_for_member(user=request.user, pk=pk)
    filter_form = ApplicantFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    page = Paginator(_applicants(request, campaign, filters), APPLICANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = urlencode({key: value for key, value in request.GET.items() if key != "page" and value})
    acceptance = _acceptance(campaign)
    return render(
        request,
        "campaigns/offers/applicants.html",
        {
            "campaign": campaign,
            "membership": membership,
            "can_act": membership.can_edit_org(),
            "filter_form": filter_form,
            "page": page,
            "query": query,
            "rows": [_applicant_row(application, campaign, acceptance) for application in page],
            "slots_taken": acceptance["taken"],
            "accept_closed": acceptance["reason"],
            "fee_hint": fee_hint(campaign),
            "decline_form": ReasonForm(),
            "this_page": request.get_full_path(),
        },
    )


def _applicants_url(application: Application) -> str:
    return reverse("campaigns:applicants", args=[application.campaign_id])


@login_required
@require_POST
def application_shortlist(request, pk):
    application = _application_for(request, pk)
    shortlist = application.status != Application.Status.SHORTLISTED
    success = _("%(creator)s is on the shortlist.") if shortlist else _("%(creator)s is off the shortlist.")
    _attempt(
        request,
        lambda: application_services.application_shortlist(
            application=application, by_user=request.user, shortlisted=shortlist
        ),
        success % {"creator": application.creator.display_name},
    )
    return _back(request, _applicants_url(application))


@login_required
@require_POST
def application_accept(request, pk):
    application = _application_for(request, pk)
    _attempt(
        request,
        lambda: application_services.application_accept(application=application, by_user=request.user),
        _("%(creator)s is in. The collaboration has started and they have been told.")
        % {"creator": application.creator.display_name},
    )
    return _back(request, _applicants_url(application))


@login_required
@require_POST
def application_decline(request, pk):
    application = _application_for(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Keep the reason under 1000 characters."))
        return _back(request, _applicants_url(application))
    _attempt(
        request,
        lambda: application_services.application_decline(
            application=application, by_user=request.user, reason=form.cleaned_data["reason"]
        ),
        _("You declined %(creator)s's application; they have been told.")
        % {"creator": application.creator.display_name},
    )
    return _back(request, _applicants_url(application))


# Inviting


@login_required
@GET_POST
def invite(request, pk):
    campaign, membership = selectors.campaign_for_member(user=request.user, pk=pk)
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
            "ttl_days": invitation_services.INVITATION_TTL_DAYS,
            "inline_limit": batch_services.INLINE_INVITE_LIMIT,
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
        invitation_services.invitation_accept,
        _("You accepted the invitation to “%(campaign)s”. The collaboration has started."),
        starts_collaboration=True,
    )


@login_required
@require_POST
def invitation_decline(request, pk):
    return _invitation_action(
        request,
        pk,
        invitation_services.invitation_decline,
        _("You declined the invitation to “%(campaign)s”."),
    )


@login_required
@require_POST
def invitation_counter(request, pk):
    invitation = _invitation_for(request, pk)
    form = CounterForm(request.POST, invitation=invitation)
    if form.is_valid():
        try:
            invitation_services.invitation_counter(
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
        invitation_services.invitation_counter_accept,
        _("You accepted the counter-offer on “%(campaign)s”. The collaboration has started."),
        starts_collaboration=True,
    )


@login_required
@require_POST
def invitation_counter_decline(request, pk):
    return _invitation_action(
        request,
        pk,
        invitation_services.invitation_counter_decline,
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
        lambda: invitation_services.invitation_revoke(
            invitation=invitation, by_user=request.user, reason=form.cleaned_data["reason"]
        ),
        _("You withdrew the invitation to “%(campaign)s”.") % {"campaign": invitation.campaign.title},
    )
    return redirect("campaigns:invitation_detail", pk=invitation.pk)
