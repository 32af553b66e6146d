"""Who may do what in the API: the roles of issue 4 and the company scope, in one place.

Every view says which *area* it belongs to (``access_area``) and, when its rows belong to a
company, which field holds it (``scope_field``); ``RoleAccess`` and ``ScopedMixin`` do the rest.

- administrators (``is_staff``, role ``admin``): everything, every company;
- role ``finance``: reads everything of their companies and writes the data (titles, parties,
  the outbox's retry/cancel, boletos); no settings (403), no writes of reference data (403);
- role ``readonly``: reads (``GET``) the data and the reference data; every write → 403;
- company scope: a user limited to some companies lists only their rows; another company's row
  answers 404, like one that does not exist.

Areas:

- ``DATA``: anyone reads; finance and administrators write.
- ``REFERENCE`` (companies, users, bank accounts, tasks): anyone reads; administrators write.
- ``SETTINGS`` (``spy/recipients``, ``smtp/*``, templates, routine settings, settings changes):
  administrators only, reads included.
- ``OPEN`` (boleto compute/parse/PDF/routines): any authenticated user; the view checks the
  finer rule itself (a read-only user may print a boleto already issued, not issue one).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request

from spysystem.finance.selectors import Access, access_for


class Area(StrEnum):
    DATA = "data"
    REFERENCE = "reference"
    SETTINGS = "settings"
    OPEN = "open"


SETTINGS_ONLY = _("Somente administradores podem acessar as configurações.")
ADMIN_WRITES = _("Somente administradores podem fazer esta alteração.")
READ_ONLY = _("Seu usuário é somente consulta: não pode fazer alterações.")
OUT_OF_SCOPE = _("Seu usuário não tem acesso à empresa %(company)s.")


def request_access(request: Request) -> Access:
    """``access_for(request.user)``, computed once per request."""
    access = getattr(request, "_spy_access", None)
    if access is None:
        access = access_for(request.user)
        request._spy_access = access
    return access


class RoleAccess(BasePermission):
    """The role rules of the view's ``access_area`` (``DATA`` when it says none).

    A view may give its own Portuguese refusal for reference writes in ``write_denied_message``.
    """

    message = SETTINGS_ONLY

    def has_permission(self, request: Request, view: object) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        access = request_access(request)
        if access.can_configure:
            return True
        area = getattr(view, "access_area", Area.DATA)
        if area == Area.OPEN:
            return True
        if area == Area.SETTINGS:
            self.message = SETTINGS_ONLY
            return False
        if request.method in SAFE_METHODS:
            return True
        if area == Area.REFERENCE:
            self.message = getattr(view, "write_denied_message", None) or ADMIN_WRITES
            return False
        self.message = READ_ONLY
        return access.can_write


PERMISSIONS = [IsAuthenticated, RoleAccess]


def scope(queryset: QuerySet, request: Request, field: str | None = "company_id") -> QuerySet:
    """``queryset`` limited to the companies the user sees (``field`` holds the company id)."""
    if field is None:
        return queryset
    company_ids = request_access(request).company_ids
    if company_ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": company_ids})


def sees_company(request: Request | None, company: Any) -> bool:
    """Whether the user may work with ``company`` (a ``Company`` or an id)."""
    if request is None:
        return True
    return request_access(request).sees(getattr(company, "pk", company))


class ScopedMixin:
    """Limits a view set's rows (lists, details, updates, actions) to the user's companies.

    DRF reads every row through ``filter_queryset(get_queryset())`` — ``list`` and
    ``get_object`` alike — so scoping there covers every route, and a row of another company
    answers 404. ``scope_field`` names the company id (``None``: the rows have no company).
    """

    scope_field: str | None = "company_id"

    def scoped(self, queryset: QuerySet) -> QuerySet:
        return scope(queryset, self.request, self.scope_field)  # type: ignore[attr-defined]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self.scoped(super().filter_queryset(queryset))  # type: ignore[misc]
