"""Access rules of the screens, in one place.

Every page needs a login. What a logged-in user may do comes from
``finance.selectors.access_for`` (read once per request and kept on it):

- ``READ``: any role (administrator, finance staff, read-only);
- ``WRITE``: administrator and finance staff (titles, e-mail retry/cancel);
- ``CONFIGURE``: administrators only (every settings screen, users, audit).

A view declares its need with ``@require_role(...)``; lists and lookups go through ``scoped``, so
a user limited to some companies never sees another company's rows (a detail URL answers 404).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from spysystem.finance.selectors import Access, access_for

View = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)

READ = "read"
WRITE = "write"
CONFIGURE = "configure"

_ALLOWED: dict[str, Callable[[Access], bool]] = {
    READ: lambda access: True,
    WRITE: lambda access: access.can_write,
    CONFIGURE: lambda access: access.can_configure,
}


def access_of(request: HttpRequest) -> Access:
    """The requesting user's ``Access``, computed once per request."""
    access = getattr(request, "_spy_access", None)
    if access is None:
        access = access_for(getattr(request, "user", None))
        request._spy_access = access
    return access


def allows(request: HttpRequest, need: str) -> bool:
    """Whether the requesting user has ``need`` (``READ``, ``WRITE`` or ``CONFIGURE``)."""
    return _ALLOWED[need](access_of(request))


def require_role(need: str) -> Callable[[View], View]:
    """Decorator: anonymous → the login page; logged in without ``need`` → 403."""
    if need not in _ALLOWED:
        raise ValueError(need)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not allows(request, need):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def scoped(queryset: QuerySet[M], request: HttpRequest, field: str = "company_id") -> QuerySet[M]:
    """``queryset`` limited to the companies the requesting user may see (``field`` names the
    company column; rows whose company is empty are hidden from a user limited to companies)."""
    company_ids = access_of(request).company_ids
    if company_ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": company_ids})


def scoped_or_404(
    queryset: QuerySet[M], request: HttpRequest, field: str = "company_id", **lookup: object
) -> M:
    """One row of ``scoped(queryset)``; another company's row is 404, as if it did not exist."""
    return get_object_or_404(scoped(queryset, request, field), **lookup)
