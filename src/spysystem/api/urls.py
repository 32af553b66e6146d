"""Routes of the REST API, mounted at ``/api/v1/`` (URL names under the ``api`` namespace).

A trailing slash is optional on every path (``companies`` and ``companies/`` both answer).
The OpenAPI document (``openapi.json``) needs authentication like every other endpoint.
"""

from __future__ import annotations

from django.urls import re_path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter

from spysystem.api import boletos, imports, routines, views
from spysystem.api.schema import SCHEMA_SETTINGS
from spysystem.mail.models import SmtpLevel

app_name = "api"


class OptionalSlashRouter(SimpleRouter):
    """``SimpleRouter`` whose routes match with or without the trailing slash."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("companies", views.CompanyViewSet, basename="company")
router.register("users", views.UserViewSet, basename="user")
router.register("parties", views.PartyViewSet, basename="party")
router.register("titles", views.TitleViewSet, basename="title")
router.register("outbox", views.OutboxViewSet, basename="message")
router.register("changes", views.ChangeViewSet, basename="change")
router.register("bank-accounts", boletos.BankAccountViewSet, basename="bank-account")
router.register("tasks", routines.TaskViewSet, basename="task")
router.register("settings-changes", routines.SettingsChangeViewSet, basename="settings-change")

urlpatterns = [
    # Before the router: ``titles/boletos/...`` must not be read as ``titles/{id}``.
    re_path(r"^titles/import/?$", imports.TitleImportView.as_view(), name="titles-import"),
    re_path(r"^titles/boletos/emit/?$", boletos.BoletosEmitView.as_view(), name="boletos-emit"),
    re_path(
        r"^titles/boletos/resend/?$", boletos.BoletosResendView.as_view(), name="boletos-resend"
    ),
    re_path(r"^titles/boletos/pdf/?$", boletos.BoletosPdfView.as_view(), name="boletos-pdf"),
    re_path(
        r"^titles/(?P<pk>[0-9]+)/boleto\.pdf$",
        boletos.TitleBoletoPdfView.as_view(),
        name="title-boleto-pdf",
    ),
    re_path(
        r"^titles/(?P<pk>[0-9]+)/boleto/?$", boletos.TitleBoletoView.as_view(), name="title-boleto"
    ),
    re_path(r"^boleto/parse/?$", boletos.BoletoParseView.as_view(), name="boleto-parse"),
    re_path(r"^boleto/compute/?$", boletos.BoletoComputeView.as_view(), name="boleto-compute"),
    re_path(r"^spy/recipients/?$", views.RecipientsView.as_view(), name="spy-recipients"),
    re_path(
        r"^smtp/general/?$",
        views.SmtpSettingsView.as_view(level=SmtpLevel.GENERAL),
        name="smtp-general",
    ),
    re_path(
        r"^smtp/finance/?$",
        views.SmtpSettingsView.as_view(level=SmtpLevel.FINANCE),
        name="smtp-finance",
    ),
    re_path(
        r"^smtp/companies/(?P<company_id>[0-9]+)/?$",
        views.CompanySmtpSettingsView.as_view(),
        name="smtp-company",
    ),
    re_path(
        r"^routine-settings/(?P<company_id>[0-9]+)/?$",
        routines.RoutineSettingsView.as_view(),
        name="routine-settings",
    ),
    re_path(r"^templates/?$", routines.TemplateListView.as_view(), name="templates"),
    # Before ``templates/{routine}``: "preview" is not a routine.
    re_path(
        r"^templates/preview/?$", routines.TemplatePreviewView.as_view(), name="template-preview"
    ),
    re_path(r"^templates/(?P<routine>[a-z]+)/?$", routines.TemplateView.as_view(), name="template"),
    re_path(
        r"^templates/(?P<routine>[a-z]+)/(?P<company_id>[0-9]+)/?$",
        routines.CompanyTemplateView.as_view(),
        name="template-company",
    ),
    re_path(r"^smtp/switches/?$", views.SwitchesView.as_view(), name="smtp-switches"),
    re_path(r"^smtp/explain/?$", views.ExplainView.as_view(), name="smtp-explain"),
    re_path(r"^smtp/test/?$", views.SmtpTestView.as_view(), name="smtp-test"),
    re_path(
        r"^openapi\.json$",
        SpectacularJSONAPIView.as_view(
            permission_classes=[IsAuthenticated], custom_settings=SCHEMA_SETTINGS
        ),
        name="openapi",
    ),
    *router.urls,
]
