from django import template

register = template.Library()


@register.simple_tag
def sponsorship_manage_panel(campaign, user):
    return ""


@register.simple_tag
def sponsor_credit(campaign):
    return ""
