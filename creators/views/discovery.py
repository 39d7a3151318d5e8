"""Discovery pages for organization members: search creators, keep shortlists, invite from them.

Only members of an organization get here; creators without one and strangers get a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brands import shortlists as shortlist_services
from brands.models import Membership, Organization, Shortlist
from campaigns import visibility
from campaigns.models import Campaign
from campaigns.selectors.brief_matches import brief_matches
from campaigns.services import invitations as invitation_services
from creators.discovery import MAX_PAGE_SIZE, attach_best_accounts, creator_search
from creators.forms.discovery import DiscoveryForm, ShortlistCreateForm, ShortlistInviteForm
from creators.selectors import creators_listed_for
from marketplace.errors import DomainError

RESULTS_PER_PAGE = min(24, MAX_PAGE_SIZE)


def _memberships(request: HttpRequest) -> list[Membership]:
    """The user's memberships; a 404 when there are none (discovery is for organizations)."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    if not memberships:
        raise Http404
    return memberships


def _editable_shortlists(memberships: list[Membership]) -> list[Shortlist]:
    org_ids = [m.organization_id for m in memberships if m.can_edit_org()]
    if not org_ids:
        return []
    return list(
        Shortlist.objects.filter(organization_id__in=org_ids)
        .select_related("organization")
        .order_by("organization__name", "name", "pk")
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _briefs(request: HttpRequest):
    """The briefs discovery can score against: the viewer's organizations' ones still in play.

    A brief id of another organization (or of none) answers 404, as everywhere else; a junk value
    is left to the form, which says what to choose.
    """
    visible = visibility.organization_campaigns_visible_to(request.user)
    chosen = request.GET.get("brief", "")
    if chosen.isdigit() and not visible.filter(pk=int(chosen)).exists():
        raise Http404
    return (
        visible.exclude(status__in=[Campaign.Status.CANCELLED, Campaign.Status.COMPLETED])
        .select_related("organization")
        .order_by("organization__name", "title", "pk")
    )


@login_required
@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    memberships = _memberships(request)
    initial_currency = memberships[0].organization.default_currency
    form = DiscoveryForm(
        request.GET or None, initial={"fee_currency": initial_currency}, briefs=_briefs(request)
    )
    page, creators, brief = None, [], None
    if not request.GET or form.is_valid():
        filters = form.cleaned_data if request.GET else {}
        queryset = creator_search(filters=filters, viewer=request.user).prefetch_related("niches")
        page = Paginator(queryset, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        creators = attach_best_accounts(list(page.object_list))
        brief = filters.get("brief")
        if brief is not None:
            # The recommendations' match score, for the page's creators only.
            matches = brief_matches(campaign=brief, creators=creators)
            for creator in creators:
                creator.match = matches[creator.pk]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "discovery/search.html",
        {
            "form": form,
            "page": page,
            "creators": creators,
            "brief": brief,
            "query": query.urlencode(),
            "shortlists": _editable_shortlists(memberships),
        },
        status=200 if page is not None else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def shortlists(request: HttpRequest) -> HttpResponse:
    memberships = _memberships(request)
    editable = Organization.objects.filter(
        pk__in=[m.organization_id for m in memberships if m.can_edit_org()]
    ).order_by("name", "pk")
    form = ShortlistCreateForm(request.POST or None, organizations=editable)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                shortlist = shortlist_services.shortlist_create(
                    organization=form.cleaned_data["organization"],
                    by_user=request.user,
                    name=form.cleaned_data["name"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, _("Shortlist created."))
                return redirect(shortlist)
    return render(
        request,
        "discovery/shortlists.html",
        {
            "shortlists": list(shortlist_services.shortlists_for_user(user=request.user)),
            "form": form if editable else None,
        },
        status=status,
    )


def _detail(request, shortlist, membership, *, invite_form=None, results=None, status=200) -> HttpResponse:
    entries = list(shortlist.entries.all())
    for entry in entries:
        accounts = list(entry.creator.social_accounts.all())
        entry.best_account = max(accounts, key=lambda a: (a.followers, -a.pk)) if accounts else None
    can_edit = membership.can_edit_org()
    if can_edit and invite_form is None:
        invite_form = ShortlistInviteForm(shortlist=shortlist)
    return render(
        request,
        "discovery/shortlist_detail.html",
        {
            "shortlist": shortlist,
            "entries": entries,
            "can_edit": can_edit,
            "invite_form": invite_form if can_edit else None,
            "results": results,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def shortlist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shortlist, membership = shortlist_services.shortlist_for_member(user=request.user, pk=pk)
    return _detail(request, shortlist, membership)


def _change_entry(request: HttpRequest, pk: int, service, success: str) -> HttpResponse:
    """Add a creator to, or take one off, a shortlist: the two differ only in service and message."""
    shortlist, _membership = shortlist_services.shortlist_for_member(user=request.user, pk=pk)
    creator = get_object_or_404(
        creators_listed_for(organization_id=shortlist.organization_id), pk=request.POST.get("creator") or 0
    )
    try:
        service(shortlist=shortlist, creator=creator, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"creator": creator.display_name, "shortlist": shortlist.name})
    return _back(request, shortlist.get_absolute_url())


@login_required
@require_POST
def shortlist_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_entry(
        request, pk, shortlist_services.shortlist_add, _("%(creator)s is on “%(shortlist)s”.")
    )


@login_required
@require_POST
def shortlist_remove(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_entry(
        request, pk, shortlist_services.shortlist_remove, _("%(creator)s is off “%(shortlist)s”.")
    )


@login_required
@require_POST
def shortlist_delete(request: HttpRequest, pk: int) -> HttpResponse:
    shortlist, _membership = shortlist_services.shortlist_for_member(user=request.user, pk=pk)
    try:
        shortlist_services.shortlist_delete(shortlist=shortlist, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(shortlist)
    messages.success(request, _("Shortlist deleted."))
    return redirect("discovery:shortlists")


@login_required
@require_POST
def shortlist_invite(request: HttpRequest, pk: int) -> HttpResponse:
    shortlist, membership = shortlist_services.shortlist_for_member(user=request.user, pk=pk)
    if not membership.can_edit_org():
        messages.error(request, _("Only owners and managers of the organization can invite creators."))
        return redirect(shortlist)
    form = ShortlistInviteForm(request.POST, shortlist=shortlist)
    if not form.is_valid():
        return _detail(request, shortlist, membership, invite_form=form, status=400)
    try:
        results = invitation_services.invitation_create_many(
            campaign=form.cleaned_data["campaign"],
            by_user=request.user,
            creators=form.cleaned_data["creators"],
            offered_fee=form.cleaned_data["offered_fee"],
            message=form.cleaned_data["message"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _detail(request, shortlist, membership, invite_form=form, status=400)
    return render(
        request,
        "discovery/invite_results.html",
        {"shortlist": shortlist, "campaign": form.cleaned_data["campaign"], "results": results},
    )
