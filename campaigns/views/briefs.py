"""Briefs: browse, read, write and run campaigns. Views validate input, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from brands.models import Organization
from brands.permissions import membership_of
from brands.selectors import organization_for_member
from brands.verification_limits import unverified_limits_notice
from campaigns.eligibility import brief_match, check_eligibility, match_context
from campaigns.forms.briefs import CampaignForm, CancelForm
from campaigns.forms.browsing import BriefFilterForm
from campaigns.forms.deliverable_specs import DeliverableFormSet, deliverable_initial
from campaigns.models import Application, Campaign, Collaboration, Invitation
from campaigns.selectors import browsing, campaign_page, organizations
from campaigns.services import brief_checks, campaign_closing
from campaigns.services import briefs as services
from campaigns.services.brief_checks import BriefInvalid
from campaigns.services.conversation import organization_rating_summary
from campaigns.services.invitation_batches import invitation_batches_recent
from marketplace.errors import DomainError, PermissionDeniedError

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 20
MANAGERS_ONLY = gettext_lazy("Only owners and managers of the organization can do this.")


def _forbidden(request: HttpRequest, organization: Organization, message: str) -> HttpResponse:
    return render(
        request, "brands/forbidden.html", {"organization": organization, "message": str(message)}, status=403
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Browsing


@login_required
def brief_list(request):
    form = BriefFilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        form.is_valid()  # invalid filters are flagged on the form and left out
        filters = form.filters()
    page = Paginator(browsing.brief_browse(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    creator = browsing.creator_for_browsing(user=request.user)
    rows = [{"campaign": campaign, "labels": browsing.brief_labels(campaign)} for campaign in page]
    if creator:
        # Rules and match per row, from data loaded once for the page (no query per row).
        prefetch_related_objects([row["campaign"] for row in rows], "deliverables")
        context = match_context(creator=creator)
        for row in rows:
            row["eligibility"] = eligibility = check_eligibility(campaign=row["campaign"], creator=creator)
            row["match"] = brief_match(campaign=row["campaign"], context=context, account=eligibility.account)
    else:
        for row in rows:
            row["eligibility"] = row["match"] = None
    return render(
        request,
        "campaigns/briefs/brief_list.html",
        {"form": form, "page": page, "rows": rows, "creator": creator, "query": _query_without_page(request)},
    )


@login_required
def brief_detail(request, pk):
    campaign = browsing.brief_for_viewer(user=request.user, pk=pk)
    membership = membership_of(organization=campaign.organization_id, user=request.user)
    creator = None if membership else browsing.creator_for_browsing(user=request.user)
    eligibility = check_eligibility(campaign=campaign, creator=creator) if creator else None
    match = (
        brief_match(campaign=campaign, context=match_context(creator=creator), account=eligibility.account)
        if creator
        else None
    )
    standing = browsing.creator_standing(campaign=campaign, creator=creator) if creator else None
    return render(
        request,
        "campaigns/briefs/brief_detail.html",
        {
            "campaign": campaign,
            "organization": campaign.organization,
            "membership": membership,
            "creator": creator,
            "eligibility": eligibility,
            "match": match,
            "standing": standing,
            "is_open": campaign.is_open_for_applications(),
            "labels": browsing.brief_labels(campaign),
            "org_rating": organization_rating_summary(campaign.organization),
        },
    )


# The organization's campaigns


@login_required
def org_campaigns(request, slug):
    status = request.GET.get("status", "")
    organization, membership, campaigns = organizations.org_campaigns(
        user=request.user, slug=slug, status=status
    )
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = organizations.org_campaign_status_counts(organization=organization)
    return render(
        request,
        "campaigns/briefs/org_campaigns.html",
        {
            "organization": organization,
            "membership": membership,
            "page": page,
            "status": status if status in Campaign.Status.values else "",
            "status_tabs": [(value, label, counts.get(value, 0)) for value, label in Campaign.Status.choices],
            "query": _query_without_page(request),
            "section": "campaigns",
        },
    )


def _apply_brief_errors(error: DomainError, form: CampaignForm, formset=None) -> None:
    errors = error.errors if isinstance(error, BriefInvalid) else [(error.field, str(error.message))]
    for field, message in errors:
        if field == "deliverables" and formset is not None:
            formset.add_domain_error(message)
        else:
            form.add_domain_error(field, message)


def _brief_form_page(request, *, membership, form, formset, campaign=None, status=200):
    context = {
        "organization": membership.organization,
        "membership": membership,
        "campaign": campaign,
        "form": form,
        "formset": formset,
        "section": "campaigns",
        "limits": unverified_limits_notice(membership.organization),
    }
    return render(request, "campaigns/briefs/campaign_form.html", context, status=status)


@login_required
@GET_POST
def campaign_create(request, slug):
    organization, membership = organization_for_member(user=request.user, slug=slug)
    if not membership.can_edit_org():
        return _forbidden(request, organization, MANAGERS_ONLY)
    form = CampaignForm(request.POST or None, organization=organization)
    formset = DeliverableFormSet(request.POST or None, prefix="deliverables")
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                campaign = services.campaign_create(
                    organization=organization,
                    by_user=request.user,
                    deliverables=formset.deliverables(),
                    **form.service_kwargs(),
                )
            except PermissionDeniedError as error:
                return _forbidden(request, organization, error.message)
            except DomainError as error:
                _apply_brief_errors(error, form, formset)
            else:
                messages.success(
                    request, _("The draft is saved. Publish it from this page when the brief is complete.")
                )
                return redirect("campaigns:campaign_manage", pk=campaign.pk)
        return _brief_form_page(request, membership=membership, form=form, formset=formset, status=400)
    return _brief_form_page(request, membership=membership, form=form, formset=formset)


@login_required
@GET_POST
def campaign_edit(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    organization = campaign.organization
    if not membership.can_edit_org():
        return _forbidden(request, organization, MANAGERS_ONLY)
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.PUBLISHED):
        messages.error(
            request,
            _("A %(status)s campaign can no longer be edited.")
            % {"status": campaign.get_status_display().lower()},
        )
        return redirect("campaigns:campaign_manage", pk=campaign.pk)
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, organization=organization, campaign=campaign)
    formset = (
        None
        if form.is_published
        else DeliverableFormSet(data, prefix="deliverables", initial=deliverable_initial(campaign))
    )
    if request.method == "POST":
        if form.is_valid() and (formset is None or formset.is_valid()):
            kwargs = form.service_kwargs()
            if formset is not None:
                kwargs["deliverables"] = formset.deliverables()
            try:
                services.campaign_update(campaign=campaign, by_user=request.user, **kwargs)
            except PermissionDeniedError as error:
                return _forbidden(request, organization, error.message)
            except DomainError as error:
                _apply_brief_errors(error, form, formset)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("campaigns:campaign_manage", pk=campaign.pk)
        return _brief_form_page(
            request, membership=membership, form=form, formset=formset, campaign=campaign, status=400
        )
    return _brief_form_page(request, membership=membership, form=form, formset=formset, campaign=campaign)


# Running a campaign


def _limits_notice(campaign):
    """The limits of an organization that is not verified, while they still matter to this brief."""
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.PUBLISHED):
        return None
    published = campaign.status == Campaign.Status.PUBLISHED
    return unverified_limits_notice(campaign.organization, campaign=campaign if published else None)


def _manage_page(request, campaign, membership, *, publish_errors=None, status=200):
    context = campaign_page.campaign_dashboard(campaign=campaign)
    if campaign.status == Campaign.Status.DRAFT and publish_errors is None:
        publish_errors = brief_checks.campaign_publish_problems(campaign=campaign)
    context.update(
        {
            "campaign": campaign,
            "organization": campaign.organization,
            "membership": membership,
            "can_edit": membership.can_edit_org(),
            "publish_errors": publish_errors or [],
            "invitation_batches": invitation_batches_recent(campaign=campaign),
            "limits": _limits_notice(campaign),
        }
    )
    return render(request, "campaigns/briefs/campaign_manage.html", context, status=status)


@login_required
def campaign_manage(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    return _manage_page(request, campaign, membership)


@login_required
@require_POST
def campaign_publish(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    try:
        services.campaign_publish(campaign=campaign, by_user=request.user)
    except PermissionDeniedError as error:
        return _forbidden(request, campaign.organization, error.message)
    except BriefInvalid as error:
        messages.error(request, error.message)
        return _manage_page(request, campaign, membership, publish_errors=error.errors, status=400)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The campaign is published. Creators can now find it and apply."))
    return redirect("campaigns:campaign_manage", pk=campaign.pk)


@login_required
@require_POST
def campaign_close(request, pk):
    campaign, _membership = organizations.campaign_for_member(user=request.user, pk=pk)
    open_applications = campaign.applications.filter(status__in=Application.OPEN).count()
    open_invitations = campaign.invitations.filter(status__in=Invitation.OPEN).count()
    try:
        campaign_closing.campaign_close(campaign=campaign, by_user=request.user)
    except PermissionDeniedError as error:
        return _forbidden(request, campaign.organization, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The campaign is closed to new applications. Accepted creators carry on with their work."),
        )
        if open_applications or open_invitations:
            messages.info(
                request,
                ngettext(
                    "%(count)s open application or invitation was closed and the creator told.",
                    "%(count)s open applications and invitations were closed and the creators told.",
                    open_applications + open_invitations,
                )
                % {"count": open_applications + open_invitations},
            )
    return redirect("campaigns:campaign_manage", pk=campaign.pk)


@login_required
@GET_POST
def campaign_cancel(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    if not membership.can_edit_org():
        return _forbidden(request, campaign.organization, MANAGERS_ONLY)
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign_closing.campaign_cancel(
                    campaign=campaign, by_user=request.user, reason=form.cleaned_data["reason"]
                )
            except PermissionDeniedError as error:
                return _forbidden(request, campaign.organization, error.message)
            except DomainError as error:
                if error.field:
                    form.add_domain_error(error)
                else:
                    messages.error(request, error.message)
                    return redirect("campaigns:campaign_manage", pk=campaign.pk)
            else:
                messages.success(
                    request, _("The campaign is cancelled. Everyone affected has been told why.")
                )
                return redirect("campaigns:campaign_manage", pk=campaign.pk)
        status = 400
    context = {
        "campaign": campaign,
        "organization": campaign.organization,
        "form": form,
        "open_applications": campaign.applications.filter(status__in=Application.OPEN).count(),
        "open_invitations": campaign.invitations.filter(status__in=Invitation.OPEN).count(),
        "live_collaborations": campaign.collaborations.filter(status__in=Collaboration.LIVE).count(),
        "can_cancel": campaign.can_transition(Campaign.Status.CANCELLED),
    }
    return render(request, "campaigns/briefs/campaign_cancel.html", context, status=status)


@login_required
@require_POST
def campaign_duplicate(request, pk):
    campaign, _membership = organizations.campaign_for_member(user=request.user, pk=pk)
    try:
        copy = services.campaign_duplicate(campaign=campaign, by_user=request.user)
    except PermissionDeniedError as error:
        return _forbidden(request, campaign.organization, error.message)
    messages.success(
        request,
        _("This is a copy of “%(title)s”. Set new dates, then publish it.") % {"title": campaign.title},
    )
    return redirect("campaigns:campaign_edit", pk=copy.pk)
