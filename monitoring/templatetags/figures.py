"""A published count as the public may read it."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

from monitoring.statistics import Hidden

register = template.Library()


@register.filter
def shown(value: object) -> str:
    if isinstance(value, Hidden):
        return gettext("fewer than 5") if value.below else gettext("not shown")
    return number_format(value, force_grouping=True)
