"""The conversion side of the campaign pages: the manage-page panel and the commission line of the
public brief. A few queries each (the pages' query budgets are tested)."""

from django import template
from django.db.models import Count, Q
from django.template.loader import render_to_string

from brands.permissions import can_manage_org
from tracking.models import ConversionGoal, TrackingSettings

register = template.Library()


@register.simple_tag
def tracking_manage_panel(campaign, user):
    settings = TrackingSettings.objects.filter(campaign=campaign).first()
    goals = list(
        ConversionGoal.objects.filter(campaign=campaign).annotate(
            conversion_count=Count("conversions"),
            attributed_count=Count("conversions", filter=Q(conversions__collaboration__isnull=False)),
        )
    )
    return render_to_string(
        "tracking/_manage_panel.html",
        {
            "campaign": campaign,
            "settings": settings,
            "goals": goals,
            "can_edit": can_manage_org(user, campaign.organization_id),
        },
    )


@register.simple_tag
def brief_commission(campaign):
    settings = TrackingSettings.objects.filter(campaign=campaign).first()
    if settings is None or not settings.has_commission:
        return ""
    goals = list(ConversionGoal.objects.filter(campaign=campaign))
    if settings.commission_kind == TrackingSettings.CommissionKind.PERCENT:
        goals = [goal for goal in goals if goal.has_amount]
    if not goals:
        return ""
    return render_to_string(
        "tracking/_brief_commission.html", {"campaign": campaign, "settings": settings, "goals": goals}
    )
