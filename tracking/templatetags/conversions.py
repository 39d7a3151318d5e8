from django import template

register = template.Library()


@register.simple_tag
def tracking_manage_panel(campaign, user):
    return ""


@register.simple_tag
def brief_commission(campaign):
    return ""
