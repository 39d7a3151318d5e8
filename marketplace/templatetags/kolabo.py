from django import template

from marketplace.money import format_money

register = template.Library()


@register.filter
def money(amount, currency):
    """{{ item.price|money:item.currency }}"""
    return format_money(amount, currency)
