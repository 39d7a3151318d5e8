"""Public impact pages of cause campaigns, and the creator's choice to be named on them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from analytics import charts
from analytics.impact import (
    has_impact_page,
    impact_campaigns,
    impact_page_data,
    viewer_collaboration,
)
from analytics.impact_services import collaboration_credit_set
from campaigns.models import Collaboration
from campaigns.visibility import as_creator
from marketplace.errors import DomainError
from marketplace.services import absolute_url

SHARE_IMAGE = "img/impact-share.png"


def _count(value) -> str:
    return number_format(value, force_grouping=True)


def og_description(data) -> str:
    """The headline numbers in one line, for link previews."""
    parts = [
        ngettext("%(count)s creator", "%(count)s creators", data.creators) % {"count": data.creators},
        *(f"{_count(figure.value)} {figure.label.lower()}" for figure in data.headlines if figure.value),
        *(f"{_count(goal.value)} {goal.label.lower()}" for goal in data.goals if goal.value),
    ]
    return _("%(organization)s's cause campaign on Kolabo: %(figures)s.") % {
        "organization": data.organization.name,
        "figures": ", ".join(parts),
    }


@require_http_methods(["GET", "HEAD"])
def impact_page(request, pk):
    campaign = get_object_or_404(impact_campaigns(), pk=pk)
    data = impact_page_data(campaign)
    page_url = absolute_url(reverse("analytics:impact", args=[campaign.pk]))
    results = charts.bar_chart(
        title=_("Results so far"),
        rows=[(g.label, g.value) for g in [*data.headlines, *data.goals] if g.value is not None],
        value_label=_("Results"),
    )
    return render(
        request,
        "analytics/impact.html",
        {
            "campaign": campaign,
            "data": data,
            "results_chart": results,
            "page_url": page_url,
            "og_image": absolute_url(data.organization.logo_url or static(SHARE_IMAGE)),
            "og_description": og_description(data),
            "mine": viewer_collaboration(campaign, request.user),
        },
    )


@login_required
@require_POST
def impact_credit(request, pk):
    """The creator names themselves on (or removes themselves from) the campaign's impact page."""
    collaboration = get_object_or_404(
        Collaboration.objects.filter(as_creator(request.user)).select_related("campaign__organization"),
        campaign_id=pk,
    )
    choice = request.POST.get("credited")
    if choice not in ("0", "1"):
        messages.error(request, _("Choose whether to be named on the impact page: yes or no."))
    else:
        try:
            collaboration = collaboration_credit_set(
                collaboration=collaboration, by_user=request.user, credited=choice == "1"
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("You are named on the impact page.")
                if collaboration.credited_publicly
                else _("You are no longer named on the impact page."),
            )
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    if has_impact_page(collaboration.campaign):
        return redirect("analytics:impact", pk=pk)
    return redirect("analytics:creator_analytics")
