"""The REST API under ``/api/v1/`` (DESIGN.md §5). Handlers are thin: a serializer checks the
shape, one service writes (inside a transaction, so a database error rolls back cleanly) or one
selector reads, and a serializer answers. Errors become HTTP answers in ``errors``.

Permissions: every endpoint needs an authenticated user; what the user's role allows and which
companies they see is decided in one place, ``access`` (each view names its ``access_area`` and,
for rows of a company, its ``scope_field``). Settings services get ``actor=request.user,
origin="api"`` so the audit trail says who changed what.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from spysystem.api import serializers as s
from spysystem.api.access import PERMISSIONS, Area, ScopedMixin
from spysystem.api.errors import Conflict
from spysystem.api.schema import SpyAutoSchema
from spysystem.finance import selectors as finance_selectors
from spysystem.finance import services as finance
from spysystem.finance.documents import normalize
from spysystem.finance.models import Company, Party, Role, Title
from spysystem.mail import services as mail
from spysystem.mail.models import (
    MailSwitches,
    Message,
    MessageStatus,
    Routine,
    SmtpLevel,
    SmtpSettings,
)
from spysystem.mail.routing import route_for
from spysystem.mail.testsend import SmtpTestRefused, smtp_test_send
from spysystem.mail.validation import validate_no_newlines, validate_smtp_settings
from spysystem.watch import selectors as watch_selectors
from spysystem.watch import services as watch
from spysystem.watch.context import Origin
from spysystem.watch.models import Change

CONFLICT = OpenApiResponse(description="O estado atual do registro não permite a operação.")
IN_USE = OpenApiResponse(description="Existem títulos ligados a este registro.")
NOT_CONFIGURED = OpenApiResponse(description="Nenhum servidor SMTP configurado neste nível.")
NO_CONTENT = OpenApiResponse(description="Feito; a resposta não tem corpo.")
BAD_SETTINGS = OpenApiResponse(description="Configurações ou destinatário inválidos (por campo).")
TEST_REPORT = OpenApiResponse(
    s.SmtpTestReportSerializer, description="Relatório do teste, com sucesso ou não (`ok`)."
)
TOO_MANY_TESTS = OpenApiResponse(
    description="Limite de testes de envio atingido; tente mais tarde."
)


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` (50 by default, at most 500 a page)."""

    max_limit = 500


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The validated query string; a malformed filter answers 400 with field errors."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}


def _opt_outs(data: dict[str, Any]) -> dict[str, bool]:
    """The opt-out fields of a party write, taken out of ``data`` (``party_opt_out_set``)."""
    names = {"aviso_opt_out": "aviso", "cobranca_opt_out": "cobranca"}
    return {names[name]: data.pop(name) for name in list(data) if name in names}


# -- resources backed by services --------------------------------------------------------------


class ServiceViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List, retrieve, ``POST``, ``PATCH`` and ``DELETE``, the writes through services.

    Subclasses implement ``service_create``/``service_update``/``service_delete`` and, for list
    filters, ``filter_serializer_class`` plus ``apply_filters``. ``PATCH`` and ``DELETE`` read
    the row with ``SELECT ... FOR UPDATE`` inside the write's transaction, so two concurrent
    writers cannot overwrite each other's change unseen. Rows are limited to the user's
    companies (``ScopedMixin``); the role rules come from ``access_area``.
    """

    permission_classes: ClassVar[list] = PERMISSIONS
    access_area = Area.DATA
    http_method_names: ClassVar[list[str]] = ["get", "post", "patch", "delete", "head", "options"]
    schema = SpyAutoSchema()
    pagination_class = Pagination
    filter_serializer_class: type[serializers.Serializer] | None = None

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action in ("partial_update", "destroy"):
            return self.scoped(queryset.select_for_update(of=("self",)))
        if self.action != "list" or self.filter_serializer_class is None:
            return self.scoped(queryset)
        filters = _query(self.filter_serializer_class, self.request)
        return self.scoped(self.apply_filters(queryset, filters))

    def apply_filters(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        return queryset

    def service_create(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_update(self, instance: Any, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_delete(self, instance: Any) -> None:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.service_create(dict(serializer.validated_data))
        return Response(self._fresh(instance), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            instance = self.get_object()
            serializer = self.get_serializer(instance, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            instance = self.service_update(instance, dict(serializer.validated_data))
        return Response(self._fresh(instance))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            self.service_delete(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _fresh(self, instance: Model) -> dict[str, Any]:
        """The answer after a write, read again so related data (e-mails) is current."""
        return self.get_serializer(self.get_queryset().get(pk=instance.pk)).data


@extend_schema_view(
    list=extend_schema(parameters=[s.CompanyFilterSerializer]),
    destroy=extend_schema(
        description="Exclui a empresa; com títulos ligados responde 409.",
        responses={204: NO_CONTENT, 409: IN_USE},
    ),
)
class CompanyViewSet(ServiceViewSet):
    """Companies (empresas): each user lists the ones they see; administrators write. Deleting
    one that has titles answers 409."""

    id_description = "Id da empresa."
    access_area = Area.REFERENCE
    write_denied_message = _("Somente administradores podem alterar empresas.")
    scope_field = "id"
    queryset = Company.objects.all()
    serializer_class = s.CompanySerializer
    filter_serializer_class = s.CompanyFilterSerializer

    def apply_filters(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        if "cnpj" in filters:
            filters["cnpj"] = normalize(filters["cnpj"])
        return queryset.filter(**filters)

    def service_create(self, data: dict[str, Any]) -> Company:
        return finance.company_create(**data)

    def service_update(self, instance: Company, data: dict[str, Any]) -> Company:
        return finance.company_update(company=instance, **data)

    def service_delete(self, instance: Company) -> None:
        finance.company_delete(company=instance)


@extend_schema_view(
    list=extend_schema(parameters=[s.PartyFilterSerializer]),
    partial_update=extend_schema(description="`emails`, quando enviado, substitui a lista toda."),
    destroy=extend_schema(
        description="Exclui a pessoa; com títulos ligados responde 409.",
        responses={204: NO_CONTENT, 409: IN_USE},
    ),
)
class PartyViewSet(ServiceViewSet):
    """Customers and suppliers (pessoas). Deleting one that has titles answers 409."""

    id_description = "Id da pessoa."
    scope_field = None
    queryset = Party.objects.prefetch_related("emails")
    serializer_class = s.PartySerializer
    filter_serializer_class = s.PartyFilterSerializer

    def apply_filters(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        if "name" in filters:
            queryset = queryset.filter(name__icontains=filters["name"])
        if "document" in filters:
            queryset = queryset.filter(document=normalize(filters["document"]))
        return queryset

    def service_create(self, data: dict[str, Any]) -> Party:
        opt_outs = _opt_outs(data)
        party = finance.party_create(**data)
        return finance.party_opt_out_set(party=party, **opt_outs) if opt_outs else party

    def service_update(self, instance: Party, data: dict[str, Any]) -> Party:
        opt_outs = _opt_outs(data)
        party = finance.party_update(party=instance, **data)
        return finance.party_opt_out_set(party=party, **opt_outs) if opt_outs else party

    def service_delete(self, instance: Party) -> None:
        finance.party_delete(party=instance)


@extend_schema_view(
    list=extend_schema(parameters=[s.UserFilterSerializer]),
    create=extend_schema(description="Somente administradores."),
    partial_update=extend_schema(
        description="Somente administradores. `username`, `is_admin` e `password` não mudam."
    ),
    destroy=extend_schema(
        description="Somente administradores. Desativa o usuário (`is_active=false`); não o apaga.",
        responses={204: NO_CONTENT, 409: CONFLICT},
    ),
)
class UserViewSet(ServiceViewSet):
    """Users. Anyone authenticated reads; administrators write. ``DELETE`` deactivates."""

    id_description = "Id do usuário."
    access_area = Area.REFERENCE
    write_denied_message = _("Somente administradores podem alterar usuários.")
    scope_field = None
    queryset = User.objects.select_related("access").prefetch_related("access__companies")
    serializer_class = s.UserSerializer
    filter_serializer_class = s.UserFilterSerializer

    def get_queryset(self) -> QuerySet[User]:
        return self.queryset.order_by("username")

    def apply_filters(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        return queryset.filter(**filters)

    def service_create(self, data: dict[str, Any]) -> User:
        is_active = data.pop("is_active", True)
        company_ids = data.pop("companies", None)
        user = finance.user_create(
            is_admin=data.pop("is_staff", False), company_ids=company_ids, **data
        )
        if not is_active:
            finance.user_update(user=user, is_active=False)
        return user

    def service_update(self, instance: User, data: dict[str, Any]) -> User:
        data.pop("username", None)
        data.pop("is_staff", None)
        if data.get("is_active") is False:
            self._refuse_self(instance)
        role, company_ids = data.pop("role", None), data.pop("companies", None)
        if role is not None or company_ids is not None:
            current = s.user_role_and_companies(instance)
            role = role or current[0]
            if instance.pk == self.request.user.pk and role != Role.ADMIN:
                raise Conflict(_("Você não pode tirar de si mesmo o papel de administrador."))
            finance.user_access_set(
                user=instance,
                role=role,
                company_ids=current[1] if company_ids is None else company_ids,
            )
        return finance.user_update(user=instance, **data) if data else instance

    def service_delete(self, instance: User) -> None:
        self._refuse_self(instance)
        finance.user_update(user=instance, is_active=False)

    def _refuse_self(self, instance: User) -> None:
        if instance.pk == self.request.user.pk:
            raise Conflict(_("Você não pode desativar o próprio usuário."))


TITLE_CAPTURE = (
    "A alteração de valor ou vencimento é registrada (origem `api`, autor = usuário do token) "
    "e avisada por e-mail aos destinatários do Spy System."
)


@extend_schema_view(
    list=extend_schema(parameters=[s.TitleFilterSerializer]),
    partial_update=extend_schema(description=TITLE_CAPTURE),
    destroy=extend_schema(
        description="Exclui o título; a exclusão é registrada e avisada pelo Spy System.",
        responses={204: NO_CONTENT},
    ),
)
class TitleViewSet(ServiceViewSet):
    """Titles (títulos a pagar/receber). Writes are attributed to the token's user, origin
    ``api``; a change of amount or due date, or a deletion, is captured and e-mailed."""

    id_description = "Id do título."
    queryset = Title.objects.none()
    serializer_class = s.TitleSerializer
    filter_serializer_class = s.TitleFilterSerializer

    def get_queryset(self) -> QuerySet[Title]:
        return finance_selectors.title_list()

    def apply_filters(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet[Title]:
        for name in ("company", "party"):
            if name in filters:
                filters[f"{name}_id"] = filters.pop(name)
        return finance_selectors.title_list(**filters)

    def service_create(self, data: dict[str, Any]) -> Title:
        return finance.title_create(user=self.request.user, origin=Origin.API, **data)

    def service_update(self, instance: Title, data: dict[str, Any]) -> Title:
        return finance.title_update(
            title=instance, user=self.request.user, origin=Origin.API, **data
        )

    def service_delete(self, instance: Title) -> None:
        finance.title_delete(title=instance, user=self.request.user, origin=Origin.API)


# -- read-only resources -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description="Alterações capturadas de títulos, da mais recente para a mais antiga.",
        parameters=[s.ChangeFilterSerializer],
    ),
)
class ChangeViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Captured changes of titles, newest first (``facts``: amount, due_date, deleted)."""

    permission_classes: ClassVar[list] = PERMISSIONS
    schema = SpyAutoSchema()
    pagination_class = Pagination
    id_description = "Id da alteração."
    queryset = Change.objects.none()
    serializer_class = s.ChangeSerializer

    def get_queryset(self) -> QuerySet[Change]:
        if self.action != "list":
            return watch_selectors.change_list()
        filters = _query(s.ChangeFilterSerializer, self.request)
        return watch_selectors.change_list(
            title_id=filters.get("title"),
            company_id=filters.get("company"),
            ledger=filters.get("ledger"),
        )


@extend_schema_view(
    list=extend_schema(
        description="Registro de e-mails (sem os corpos das mensagens).",
        parameters=[s.MessageFilterSerializer],
    ),
    retrieve=extend_schema(responses=s.MessageDetailSerializer),
)
class OutboxViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The outbox: every e-mail the system sends. The list omits the bodies; the detail has them.

    ``retry`` puts a failed, cancelled or pending message back in line now; ``cancel`` stops a
    pending or failed one. Any other state answers 409. A user limited to some companies sees
    only their messages (not the ones without a company, such as SMTP tests).
    """

    permission_classes: ClassVar[list] = PERMISSIONS
    schema = SpyAutoSchema()
    pagination_class = Pagination
    id_description = "Id da mensagem."
    queryset = Message.objects.all()
    serializer_class = s.MessageSerializer

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return s.MessageSerializer if self.action == "list" else s.MessageDetailSerializer

    def get_queryset(self) -> QuerySet[Message]:
        if self.action != "list":
            return Message.objects.all()
        filters = _query(s.MessageFilterSerializer, self.request)
        if "company" in filters:
            filters["company_id"] = filters.pop("company")
        if "created_from" in filters:  # São Paulo calendar days (USE_TZ converts __date)
            filters["created_at__date__gte"] = filters.pop("created_from")
        if "created_to" in filters:
            filters["created_at__date__lte"] = filters.pop("created_to")
        return Message.objects.defer("body_text", "body_html").filter(**filters)

    @extend_schema(
        description="Reenvia agora uma mensagem com falha, cancelada ou pendente; "
        "em outra situação responde 409.",
        request=None,
        responses={200: s.MessageDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Send again now (the e-mail log's “Reenviar”)."""
        message = self.get_object()
        if not mail.message_retry(message=message):
            if message.routine == Routine.TEST:
                raise Conflict(mail.TEST_NOT_RETRIED)
            raise Conflict(_state_message(_("reenviada"), message))
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        description="Cancela uma mensagem pendente ou com falha; em outra situação responde 409.",
        request=None,
        responses={200: s.MessageDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Do not send this message."""
        message = self.get_object()
        if not mail.message_cancel(message=message):
            raise Conflict(_state_message(_("cancelada"), message))
        return Response(self.get_serializer(self.get_object()).data)


def _state_message(verb: str, message: Message) -> str:
    current = Message.objects.filter(pk=message.pk).values_list("status", flat=True).first()
    label = MessageStatus(current).label if current else message.status
    return _("A mensagem não pode ser %(verb)s: está com situação “%(status)s”.") % {
        "verb": verb,
        "status": label,
    }


# -- settings (administrators only) ------------------------------------------------------------


class SettingsView(APIView):
    """Base of the settings endpoints: administrators only, reads included."""

    schema = SpyAutoSchema()
    permission_classes: ClassVar[list] = PERMISSIONS
    access_area = Area.SETTINGS


class RecipientsView(SettingsView):
    """Spy recipients per ledger: default users and per-company users (DESIGN.md §4)."""

    @extend_schema(responses=s.RecipientsSerializer)
    def get(self, request: Request) -> Response:
        return Response(_recipients_answer())

    @extend_schema(
        description="Substitui as listas das carteiras enviadas (a carteira omitida fica como "
        "está). Usuários ou empresas desconhecidos respondem 400 e nada muda.",
        request=s.RecipientsSerializer,
        responses=s.RecipientsSerializer,
    )
    def put(self, request: Request) -> Response:
        """Replace the lists of the ledgers given; unknown users or companies answer 400."""
        serializer = s.RecipientsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            watch.recipients_set(
                config=serializer.validated_data, actor=request.user, origin=Origin.API
            )
        return Response(_recipients_answer())


def _recipients_answer() -> dict[str, Any]:
    return {
        **watch_selectors.recipients_config(),
        "warnings": watch_selectors.recipients_warnings(),
    }


class SmtpSettingsView(SettingsView):
    """SMTP settings of one level. ``GET`` of a level not configured answers 404."""

    level: str = SmtpLevel.GENERAL

    def company(self) -> Company | None:
        return None

    def _stored(self) -> SmtpSettings:
        found = SmtpSettings.objects.filter(level=self.level, company=self.company()).first()
        if found is None:
            raise NotFound(_("Nenhum servidor SMTP configurado neste nível."))
        return found

    @extend_schema(responses={200: s.SmtpSettingsSerializer, 404: NOT_CONFIGURED})
    def get(self, request: Request, **kwargs: Any) -> Response:
        return Response(s.SmtpSettingsSerializer(self._stored()).data)

    @extend_schema(
        description="Cria ou substitui as configurações do nível. `password` omitida mantém a "
        'senha gravada; `""` apaga. A senha nunca é devolvida (`has_password`).',
        request=s.SmtpSettingsSerializer,
        responses=s.SmtpSettingsSerializer,
    )
    def put(self, request: Request, **kwargs: Any) -> Response:
        """Create or replace; ``password`` omitted keeps the stored one, ``""`` clears it."""
        serializer = s.SmtpSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        password = fields.pop("password", None)
        with transaction.atomic():
            saved = mail.smtp_settings_save(
                level=self.level,
                company=self.company(),
                password=password,
                actor=request.user,
                origin=Origin.API,
                **fields,
            )
        return Response(s.SmtpSettingsSerializer(saved).data)

    @extend_schema(
        description="Remove o nível; as mensagens em espera passam ao nível seguinte.",
        responses={204: NO_CONTENT, 404: NOT_CONFIGURED},
    )
    def delete(self, request: Request, **kwargs: Any) -> Response:
        """Remove this level; waiting messages fall back to the next level."""
        with transaction.atomic():
            deleted = mail.smtp_settings_delete(
                level=self.level, company=self.company(), actor=request.user, origin=Origin.API
            )
        if not deleted:
            raise NotFound(_("Nenhum servidor SMTP configurado neste nível."))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    parameters=[OpenApiParameter("company_id", int, OpenApiParameter.PATH, description="Empresa.")]
)
class CompanySmtpSettingsView(SmtpSettingsView):
    """SMTP settings of one company (Financeiro / Spy System / Empresas)."""

    level = SmtpLevel.COMPANY

    def company(self) -> Company:
        company = Company.objects.filter(pk=self.kwargs["company_id"]).first()
        if company is None:
            raise NotFound(_("Empresa não encontrada."))
        return company


class SwitchesView(SettingsView):
    """The three options of the manual that steer the SMTP hierarchy."""

    @extend_schema(responses=s.SwitchesSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.SwitchesSerializer(MailSwitches.current()).data)

    @extend_schema(
        description="Altera as opções enviadas; as omitidas ficam como estão.",
        request=s.SwitchesSerializer,
        responses=s.SwitchesSerializer,
    )
    def put(self, request: Request) -> Response:
        """Set the switches given; omitted ones stay as they are."""
        serializer = s.SwitchesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            switches = mail.switches_set(
                actor=request.user, origin=Origin.API, **serializer.validated_data
            )
        return Response(s.SwitchesSerializer(switches).data)


class ExplainView(SettingsView):
    """Which SMTP level a message of ``routine`` for ``company`` would use now, and why."""

    @extend_schema(
        description="Qual nível SMTP uma mensagem da rotina e empresa usaria agora, e por quê.",
        parameters=[s.ExplainQuerySerializer],
        responses=s.RouteSerializer,
    )
    def get(self, request: Request) -> Response:
        serializer = s.ExplainQuerySerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        company = serializer.validated_data.get("company")
        route = route_for(
            routine=serializer.validated_data["routine"],
            company_id=company.pk if company else None,
        )
        return Response(s.RouteSerializer({"level": route.level, "reason": route.reason}).data)


SMTP_TEST = (
    "Envia uma mensagem de teste real pelas configurações enviadas (gravadas ou não) para `to` e "
    "responde 200 com cada etapa do diálogo SMTP (conexão, STARTTLS, EHLO, AUTH, MAIL FROM, "
    "RCPT TO, DATA) e a resposta do servidor, tenha o envio dado certo (`ok`) ou não. Nada é "
    "gravado nas configurações; a mensagem fica no registro de e-mails (rotina `test`). Sem "
    "`password` (e com `username`), usa a senha gravada do nível `level` (e `company`), desde "
    "que servidor, porta, segurança e usuário sejam os gravados; uma senha gravada nunca vai a "
    "outro servidor. A senha nunca aparece na resposta. Limitado a 5 "
    "testes por minuto e 30 por hora por usuário (429)."
)


class SmtpTestView(SettingsView):
    """“Testar envio”: one real message through the settings given, reported step by step.

    200 whatever the SMTP dialogue's outcome (``ok`` says it); 400 for bad settings or address;
    429 when rate-limited. Nothing is saved except the test message in the outbox.
    """

    @extend_schema(
        description=SMTP_TEST,
        request=s.SmtpTestSerializer,
        responses={200: TEST_REPORT, 400: BAD_SETTINGS, 429: TOO_MANY_TESTS},
    )
    def post(self, request: Request) -> Response:
        serializer = s.SmtpTestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        to, password = fields.pop("to"), fields.pop("password", None)
        candidate = SmtpSettings(level=fields.pop("level", ""), **fields)
        validate_smtp_settings(candidate)
        if password is None:
            password = _stored_password(candidate) if candidate.level else ""
        validate_no_newlines({"password": password})
        try:
            report = smtp_test_send(settings=candidate, password=password, to=to, user=request.user)
        except SmtpTestRefused as exc:
            raise Throttled(detail=str(exc)) from exc
        return Response(report.as_dict())


def _stored_password(candidate: SmtpSettings) -> str:
    """The stored password of the candidate's level (see ``smtp_stored_password``); a level
    with nothing stored needs the password typed."""
    if not candidate.username:
        return ""
    stored = SmtpSettings.objects.filter(level=candidate.level, company=candidate.company).first()
    if stored is None:
        raise DjangoValidationError(
            {"level": [_("Nenhum servidor SMTP configurado neste nível: informe a senha.")]}
        )
    return mail.smtp_stored_password(stored=stored, candidate=candidate)
