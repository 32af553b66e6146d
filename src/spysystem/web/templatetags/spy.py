"""Template filters for Brazilian formats (see ``spysystem.formats``)."""

from django import template

from spysystem import formats

register = template.Library()
register.filter("brl", formats.brl)
register.filter("date_br", formats.date_br)
register.filter("datetime_br", formats.datetime_br)
register.filter("decimal_br", formats.decimal_br)
