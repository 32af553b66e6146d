"""Tasks, routine settings, e-mail templates and the settings audit trail in the REST API.

- ``tasks``: the manual's scheduled tasks. Anyone reads (list, detail, run history);
  administrators change them (``PATCH``) and run them (``POST tasks/{name}/run``, synchronous,
  trigger ``api``).
- ``routine-settings/{company id}``, ``templates`` and ``settings-changes`` are settings:
  administrators only, reads included.

Every write goes through ``routines.services`` with ``actor=request.user, origin="api"``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from spysystem.api import serializers as s
from spysystem.api.access import PERMISSIONS, Area
from spysystem.api.schema import SpyAutoSchema
from spysystem.api.views import NO_CONTENT, Pagination, _query
from spysystem.audit.selectors import settings_change_list
from spysystem.finance.models import Company
from spysystem.routines import services as routines
from spysystem.routines.emails import template_preview, template_validate
from spysystem.routines.models import CompanyRoutineSettings, EmailTemplate, Task, TaskRun
from spysystem.routines.scheduler import task_run_now, tasks_ensure
from spysystem.watch.context import Origin

TASK_NAME = OpenApiParameter(
    "name", str, OpenApiParameter.PATH, description="Nome da tarefa, p. ex. GEAtualizaCobranca."
)
COMPANY_ID = OpenApiParameter(
    "company_id", int, OpenApiParameter.PATH, description="Id da empresa."
)
ROUTINE = OpenApiParameter(
    "routine",
    str,
    OpenApiParameter.PATH,
    enum=list(routines.ROUTINES),
    description="Rotina: spy, boleto, aviso ou cobranca.",
)
NOT_FOUND = OpenApiResponse(description="Não encontrado.")
NO_TEMPLATE = OpenApiResponse(description="Nenhum modelo editado: vale o modelo padrão.")
PREVIEW_ERROR = OpenApiResponse(
    description="O modelo não pôde ser gerado: erro de sintaxe (por campo) ou ao gerar "
    "(`non_field_errors`)."
)


# -- tasks -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description="As tarefas agendadas, com a agenda, a próxima execução e a última execução."
    ),
    retrieve=extend_schema(parameters=[TASK_NAME], description="Uma tarefa."),
    partial_update=extend_schema(
        parameters=[TASK_NAME],
        description="Somente administradores. Muda a agenda (cron), ativa/desativa, ou os "
        "usuários avisados em falha. Agenda inválida → 400 e nada muda.",
    ),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The manual's scheduled tasks, by name. Anyone reads; administrators change and run."""

    schema = SpyAutoSchema()
    permission_classes: ClassVar[list] = PERMISSIONS
    access_area = Area.REFERENCE
    write_denied_message = _("Somente administradores podem alterar ou executar tarefas.")
    http_method_names: ClassVar[list[str]] = ["get", "post", "patch", "head", "options"]
    lookup_field = "name"
    lookup_value_regex = r"[A-Za-z0-9_.-]+"
    pagination_class = None
    serializer_class = s.TaskSerializer
    queryset = Task.objects.none()

    def get_queryset(self) -> QuerySet[Task]:
        tasks_ensure()
        return Task.objects.prefetch_related("notify_users").order_by("name")

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        serializer = s.TaskSerializer(task, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            routines.task_update(
                task=task,
                schedule=data.get("schedule"),
                enabled=data.get("enabled"),
                notify_user_ids=data.get("notify_users"),
                actor=request.user,
                origin=Origin.API,
            )
        return Response(s.TaskSerializer(self.get_object()).data)

    @extend_schema(
        parameters=[TASK_NAME],
        description="Somente administradores. Executa a tarefa agora, como se fosse o dia "
        "`as_of` (padrão: hoje), e responde com a execução (situação `ok`, `partial` ou "
        "`failed`, contagens, problemas, erro). Serve para repetir um dia perdido.",
        request=s.TaskRunRequestSerializer,
        responses={200: s.TaskRunSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def run(self, request: Request, name: str | None = None) -> Response:
        task = self.get_object()
        serializer = s.TaskRunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = task_run_now(
            name=task.name, as_of=serializer.validated_data.get("as_of"), trigger=Origin.API
        )
        return Response(s.TaskRunSerializer(run).data)

    @extend_schema(
        parameters=[TASK_NAME],
        description="Histórico de execuções da tarefa, da mais recente para a mais antiga.",
        responses=s.TaskRunSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=Pagination)
    def runs(self, request: Request, name: str | None = None) -> Response:
        task = self.get_object()
        runs = TaskRun.objects.filter(task=task).select_related("task").order_by("-id")
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(s.TaskRunSerializer(page, many=True).data)


# -- settings (administrators only) ------------------------------------------------------------


class RoutineSettingsBase(APIView):
    schema = SpyAutoSchema()
    permission_classes: ClassVar[list] = PERMISSIONS
    access_area = Area.SETTINGS


def _company(company_id: Any) -> Company:
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise NotFound(_("Empresa não encontrada."))
    return company


@extend_schema(parameters=[COMPANY_ID])
class RoutineSettingsView(RoutineSettingsBase):
    """A company's warning offsets, collection levels and reply-to (defaults until saved)."""

    @extend_schema(responses={200: s.RoutineSettingsSerializer, 404: NOT_FOUND})
    def get(self, request: Request, company_id: str) -> Response:
        company = _company(company_id)
        options = CompanyRoutineSettings.objects.filter(company=company).first()
        return Response(
            s.RoutineSettingsSerializer(options or CompanyRoutineSettings(company=company)).data
        )

    @extend_schema(
        description="Altera os campos enviados (os omitidos ficam como estão). Dias que não são "
        "números ou fora do intervalo → 400 e nada muda.",
        request=s.RoutineSettingsSerializer,
        responses={200: s.RoutineSettingsSerializer, 404: NOT_FOUND},
    )
    def put(self, request: Request, company_id: str) -> Response:
        company = _company(company_id)
        serializer = s.RoutineSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            options = routines.routine_settings_set(
                company=company, actor=request.user, origin=Origin.API, **serializer.validated_data
            )
        return Response(s.RoutineSettingsSerializer(options).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="templates_list",
        description="Os modelos de e-mail editados (as rotinas sem modelo usam o padrão).",
        parameters=[s.EmailTemplateFilterSerializer],
        responses=inline_serializer(
            "PaginatedEmailTemplateList",
            fields={
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": s.EmailTemplateSerializer(many=True),
            },
        ),
    )
)
class TemplateListView(RoutineSettingsBase):
    """The edited templates, paged; filters ``routine`` and ``company``."""

    def get(self, request: Request) -> Response:
        filters = _query(s.EmailTemplateFilterSerializer, request)
        templates = EmailTemplate.objects.order_by("routine", "company_id", "pk")
        if "routine" in filters:
            templates = templates.filter(routine=filters["routine"])
        if "company" in filters:
            templates = templates.filter(company_id=filters["company"])
        paginator = Pagination()
        page = paginator.paginate_queryset(templates, request, view=self)
        return paginator.get_paginated_response(s.EmailTemplateSerializer(page, many=True).data)


class TemplateView(RoutineSettingsBase):
    """The edited template of a routine, for every company (``templates/{routine}``) or for one
    (``templates/{routine}/{company id}``)."""

    def _target(self, routine: str, company_id: str | None) -> Company | None:
        if routine not in routines.ROUTINES:
            raise NotFound(_("Rotina desconhecida: %s.") % routine)
        return _company(company_id) if company_id is not None else None

    @extend_schema(
        parameters=[ROUTINE], responses={200: s.EmailTemplateSerializer, 404: NO_TEMPLATE}
    )
    def get(self, request: Request, routine: str, company_id: str | None = None) -> Response:
        company = self._target(routine, company_id)
        template = EmailTemplate.objects.filter(routine=routine, company=company).first()
        if template is None:
            raise NotFound(_("Nenhum modelo editado: vale o modelo padrão."))
        return Response(s.EmailTemplateSerializer(template).data)

    @extend_schema(
        parameters=[ROUTINE],
        description="Cria ou substitui o modelo. Erro de sintaxe → 400 no campo e nada é gravado.",
        request=s.EmailTemplateSerializer,
        responses=s.EmailTemplateSerializer,
    )
    def put(self, request: Request, routine: str, company_id: str | None = None) -> Response:
        company = self._target(routine, company_id)
        serializer = s.EmailTemplateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            template = routines.email_template_save(
                routine=routine,
                company=company,
                actor=request.user,
                origin=Origin.API,
                **serializer.validated_data,
            )
        return Response(s.EmailTemplateSerializer(template).data)

    @extend_schema(
        parameters=[ROUTINE],
        description="Volta ao modelo padrão.",
        responses={204: NO_CONTENT, 404: NO_TEMPLATE},
    )
    def delete(self, request: Request, routine: str, company_id: str | None = None) -> Response:
        company = self._target(routine, company_id)
        with transaction.atomic():
            deleted = routines.email_template_delete(
                routine=routine, company=company, actor=request.user, origin=Origin.API
            )
        if not deleted:
            raise NotFound(_("Nenhum modelo editado: vale o modelo padrão."))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[COMPANY_ID])
@extend_schema_view(
    get=extend_schema(operation_id="templates_company_retrieve"),
    put=extend_schema(operation_id="templates_company_update"),
    delete=extend_schema(operation_id="templates_company_destroy"),
)
class CompanyTemplateView(TemplateView):
    """``templates/{routine}/{company id}`` (documented with the company parameter)."""


class TemplatePreviewView(RoutineSettingsBase):
    """Render a template (saved or not) against a real title; nothing is sent."""

    @extend_schema(
        description="Gera o e-mail a partir de um título real, sem enviar nada: 200 com assunto, "
        "texto e HTML; 400 com o erro quando o modelo não pode ser gerado.",
        request=s.TemplatePreviewSerializer,
        responses={200: s.TemplateRenderedSerializer, 400: PREVIEW_ERROR},
    )
    def post(self, request: Request) -> Response:
        serializer = s.TemplatePreviewSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template_validate(
            subject=data["subject"], body_text=data["body_text"], body_html=data["body_html"]
        )
        rendered = template_preview(
            routine=data["routine"],
            title=data["title"],
            subject=data["subject"],
            body_text=data["body_text"],
            body_html=data["body_html"],
        )
        if rendered.error:
            raise DjangoValidationError(rendered.error)
        return Response(
            s.TemplateRenderedSerializer(
                {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}
            ).data
        )


@extend_schema_view(
    list=extend_schema(
        description="Alterações de configuração (quem, quando, o quê, antes → depois; senhas "
        "mascaradas), da mais recente para a mais antiga. Somente administradores.",
        parameters=[s.SettingsChangeFilterSerializer],
    ),
    retrieve=extend_schema(description="Uma alteração de configuração."),
)
class SettingsChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """The settings audit trail, newest first; ``area`` filters by prefix."""

    schema = SpyAutoSchema()
    permission_classes: ClassVar[list] = PERMISSIONS
    access_area = Area.SETTINGS
    pagination_class = Pagination
    id_description = "Id da alteração de configuração."
    serializer_class = s.SettingsChangeSerializer

    def get_queryset(self) -> QuerySet:
        if self.action != "list":
            return settings_change_list()
        return settings_change_list(**_query(s.SettingsChangeFilterSerializer, self.request))
