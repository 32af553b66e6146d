"""Paging of list screens: 50 rows a page, ``?page=N``, bad numbers fall back gracefully."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PER_PAGE) -> Page:
    """The requested page of ``queryset`` (one COUNT and one SELECT)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
