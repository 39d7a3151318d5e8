"""Web pages for applications: apply, withdraw, the creator's own offers, and the organization's
review of its applicants. Views check the input, call one service, and show what happened."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import visibility
from campaigns.eligibility import check_eligibility
from campaigns.forms.offers import ApplicantFilterForm, ApplicationForm, ReasonForm, fee_hint
from campaigns.models import Application, Campaign
from campaigns.selectors import browsing, organizations
from campaigns.selectors.brief_matches import brief_matches
from campaigns.services import applications as application_services
from campaigns.views.common import GET_POST, _accept_block, _acceptance, _attempt
from creators.models import CreatorProfile, SocialAccount
from marketplace.errors import DomainError

APPLICANTS_PER_PAGE = 25


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Return to the page the form was on (kept in `next`), if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _application_for(request: HttpRequest, pk: int) -> Application:
    """The creator's own application, or one on a campaign of the user's organization; else 404."""
    queryset = visibility.applications_visible_to(request.user).select_related(
        "campaign__organization", "creator__user"
    )
    return get_object_or_404(queryset, pk=pk)


# Applying


@login_required
@GET_POST
def apply(request, pk):
    campaign = browsing.brief_for_viewer(user=request.user, pk=pk)
    profile = browsing.creator_for_browsing(user=request.user)
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


def _applicant_row(application: Application, campaign: Campaign, acceptance: dict, matches: dict) -> dict:
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
        "match": matches.get(creator.pk),
        "accept": _accept_block(acceptance, campaign=campaign, offer=f"application:{application.pk}", fee=fee)
        if application.is_open
        else None,
    }


@login_required
def applicants(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    filter_form = ApplicantFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    page = Paginator(_applicants(request, campaign, filters), APPLICANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = urlencode({key: value for key, value in request.GET.items() if key != "page" and value})
    acceptance = _acceptance(campaign)
    applications = list(page)
    # The recommendations' match score and top reasons, for the whole page at once.
    matches = brief_matches(campaign=campaign, creators=[application.creator for application in applications])
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
            "rows": [
                _applicant_row(application, campaign, acceptance, matches) for application in applications
            ],
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
