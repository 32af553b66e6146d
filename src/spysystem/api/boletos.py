"""Boletos in the REST API: bank accounts, a title's boleto (JSON and PDF), the routines
"Emitir boletos" / "Reenvio de boletos/notas" / "Imprimir boletos" for a selection, and the
FEBRABAN compute/parse for integrators (the same JSON as ``spy boleto compute|parse``).

Titles are read through ``finance.selectors.titles_visible``: a title of a company the user does
not see answers 404, exactly like one that does not exist. Issuing a boleto reserves a nosso
número, so a read-only user may only fetch boletos already issued (403 otherwise); the e-mail
routines need a user who can write.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, ProtectedError, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from spysystem.api import serializers as s
from spysystem.api.access import PERMISSIONS, Area
from spysystem.api.errors import Conflict
from spysystem.api.schema import SpyAutoSchema
from spysystem.api.views import NO_CONTENT, ServiceViewSet
from spysystem.boleto import BoletoError
from spysystem.commands.boleto_fields import BoletoInputError, compute_payload, parse_line
from spysystem.finance import services as finance
from spysystem.finance.models import BankAccount, Title
from spysystem.finance.selectors import access_for, titles_visible
from spysystem.routines import boletos as routines
from spysystem.routines.models import Boleto

NOT_FOUND = OpenApiResponse(
    description="Título inexistente ou de empresa que o usuário não vê (nada é feito)."
)
READ_ONLY = OpenApiResponse(
    description="Usuário somente consulta: não pode emitir boletos nem enviar e-mails."
)
REFUSED = OpenApiResponse(
    description="O título não admite boleto (não é a receber, não está em aberto, a empresa não "
    "tem conta bancária, nosso número fora do layout do banco); `detail` diz o motivo."
)
PDF = OpenApiResponse(OpenApiTypes.BINARY, description="O PDF (`application/pdf`).")
TITLE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Id do título.")


# -- bank accounts -----------------------------------------------------------------------------


def _renamed(exc: DjangoValidationError) -> DjangoValidationError:
    """The service's ``bank_code`` is the API's ``bank``."""
    if not hasattr(exc, "error_dict"):
        return exc
    return DjangoValidationError(
        {
            ("bank" if name == "bank_code" else name): errors
            for name, errors in exc.error_dict.items()
        }
    )


@extend_schema_view(
    list=extend_schema(
        description="Contas bancárias das empresas que o usuário vê.",
        parameters=[s.BankAccountFilterSerializer],
    ),
    retrieve=extend_schema(description="Uma conta bancária."),
    create=extend_schema(
        description="Somente administradores. Valida banco, empresa, CPF/CNPJ do beneficiário e "
        "faz um cálculo de teste (próximo nosso número, vencimento em 30 dias); erro → 400 por "
        "campo e nada é gravado. `is_default: true` tira a marca de padrão da conta anterior."
    ),
    partial_update=extend_schema(
        description="Somente administradores. Com boletos emitidos, `company`, `bank`, `agency`, "
        "`account`, os dígitos, `wallet`, `agreement` e `extras` não mudam (400), e "
        "`next_our_number` não volta a um número já emitido."
    ),
    destroy=extend_schema(
        description="Somente administradores. Uma conta com boletos emitidos responde 409.",
        responses={
            204: NO_CONTENT,
            409: OpenApiResponse(description="A conta tem boletos emitidos."),
        },
    ),
)
class BankAccountViewSet(ServiceViewSet):
    """Collection accounts of the companies (``bank-accounts``). Administrators write."""

    id_description = "Id da conta bancária."
    queryset = BankAccount.objects.none()
    serializer_class = s.BankAccountSerializer
    filter_serializer_class = s.BankAccountFilterSerializer
    access_area = Area.REFERENCE
    write_denied_message = gettext_lazy("Somente administradores podem alterar contas bancárias.")

    def get_queryset(self) -> QuerySet[BankAccount]:
        accounts = BankAccount.objects.select_related("company")
        if self.action in ("list", "retrieve"):
            accounts = accounts.annotate(boletos_issued=Count("boletos"))
        return accounts

    def apply_filters(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        if "company" in filters:
            queryset = queryset.filter(company_id=filters["company"])
        return queryset

    def service_create(self, data: dict[str, Any]) -> BankAccount:
        try:
            return finance.bank_account_create(**data)
        except DjangoValidationError as exc:
            raise _renamed(exc) from exc

    def service_update(self, instance: BankAccount, data: dict[str, Any]) -> BankAccount:
        try:
            return finance.bank_account_update(bank_account=instance, **data)
        except DjangoValidationError as exc:
            raise _renamed(exc) from exc

    def service_delete(self, instance: BankAccount) -> None:
        try:
            finance.bank_account_delete(account=instance)
        except ProtectedError as exc:
            raise Conflict(
                _(
                    "Não é possível excluir: a conta tem boletos emitidos. Ela pode deixar de "
                    "ser a padrão (is_default: false)."
                )
            ) from exc


# -- titles' boletos ---------------------------------------------------------------------------


class BoletoView(APIView):
    """Any authenticated user; each view checks the finer rule (``_require_write``,
    ``_require_issue_rights``), and titles are read through ``titles_visible``."""

    schema = SpyAutoSchema()
    permission_classes: ClassVar[list] = PERMISSIONS
    access_area = Area.OPEN


def _visible_titles(request: Request, ids: list[int]) -> list[Title]:
    """The titles in the order given; 404 naming the ids that do not exist or are not visible."""
    ordered = list(dict.fromkeys(ids))
    found = titles_visible(request.user).in_bulk(ordered)
    missing = [str(pk) for pk in ordered if pk not in found]
    if missing:
        raise NotFound(
            _("Título(s) não encontrado(s): %(ids)s. Nada foi feito.") % {"ids": ", ".join(missing)}
        )
    return [found[pk] for pk in ordered]


def _require_write(request: Request) -> None:
    if not access_for(request.user).can_write:
        raise PermissionDenied(_("Seu usuário é somente consulta: não pode enviar boletos."))


def _require_issue_rights(request: Request, titles: list[Title]) -> None:
    """Issuing reserves a nosso número: read-only users only get boletos already issued."""
    if access_for(request.user).can_write:
        return
    issued = set(Boleto.objects.filter(title__in=titles).values_list("title_id", flat=True))
    if any(title.pk not in issued for title in titles):
        raise PermissionDenied(_("Seu usuário é somente consulta: o boleto ainda não foi emitido."))


def _issue_all(titles: list[Title]) -> list[Boleto]:
    """Issue each title's boleto (call inside a transaction); 409 naming the title that fails."""
    boletos = []
    for title in titles:
        try:
            boletos.append(routines.boleto_issue(title=title))
        except routines.RoutineError as exc:
            prefix = _("Título %(id)s (%(doc)s/%(n)s): ") % {
                "id": title.pk,
                "doc": title.document,
                "n": title.installment,
            }
            raise Conflict(prefix + exc.message) from exc
    return boletos


def _pdf_response(titles: list[Title], request: Request) -> HttpResponse:
    _require_issue_rights(request, titles)
    with transaction.atomic():
        _issue_all(titles)
        content = routines.boletos_pdf(titles=titles)
    filename = routines.boleto_filename(titles[0]) if len(titles) == 1 else "boletos.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class JsonForErrors(BaseContentNegotiation):
    """The PDF endpoints answer the PDF itself (an ``HttpResponse``) or a JSON error, whatever
    ``Accept`` says (``Accept: application/pdf`` must not answer 406)."""

    def select_parser(self, request: Request, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: list, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class TitleBoletoView(BoletoView):
    """``GET titles/{id}/boleto``: the title's boleto, issued now if needed."""

    @extend_schema(
        operation_id="titles_boleto_retrieve",
        description="O boleto do título, emitido agora se ainda não existe (reserva o próximo "
        "nosso número da conta padrão da empresa). Se o valor ou o vencimento mudaram, os "
        "códigos são recalculados com o mesmo nosso número (boletos do banco nunca).",
        parameters=[TITLE_ID],
        responses={200: s.BoletoSerializer, 403: READ_ONLY, 404: NOT_FOUND, 409: REFUSED},
    )
    def get(self, request: Request, pk: str) -> Response:
        titles = _visible_titles(request, [int(pk)])
        _require_issue_rights(request, titles)
        with transaction.atomic():
            (boleto,) = _issue_all(titles)
        return Response(s.BoletoSerializer(boleto).data)


class TitleBoletoPdfView(BoletoView):
    """``GET titles/{id}/boleto.pdf``: the PDF of the title's boleto."""

    content_negotiation_class = JsonForErrors

    @extend_schema(
        operation_id="titles_boleto_pdf_retrieve",
        description="O PDF do boleto do título (“Impressão de boleto”), emitido agora se "
        "necessário. Responde `application/pdf`; erros em JSON.",
        parameters=[TITLE_ID],
        responses={(200, "application/pdf"): PDF, 403: READ_ONLY, 404: NOT_FOUND, 409: REFUSED},
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        return _pdf_response(_visible_titles(request, [int(pk)]), request)


class BoletosPdfView(BoletoView):
    """``POST titles/boletos/pdf``: one PDF with the boletos of the selected titles."""

    content_negotiation_class = JsonForErrors

    @extend_schema(
        operation_id="titles_boletos_pdf",
        description="“Imprimir boletos”: um PDF com os boletos dos títulos selecionados, uma "
        "página cada, na ordem enviada. Emite os que faltam; se um título não admite boleto, "
        "responde 409 e nenhum nosso número é reservado.",
        request=s.TitleIdsSerializer,
        responses={(200, "application/pdf"): PDF, 403: READ_ONLY, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request: Request) -> HttpResponse:
        serializer = s.TitleIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _pdf_response(_visible_titles(request, serializer.validated_data["titles"]), request)


class BoletoRoutineView(BoletoView):
    """Base of ``titles/boletos/emit`` and ``titles/boletos/resend``."""

    def run(self, titles: list[Title]) -> routines.RunResult:
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        serializer = s.TitleIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _require_write(request)
        result = self.run(_visible_titles(request, serializer.validated_data["titles"]))
        return Response(
            {
                "queued": result.queued,
                "done": result.done,
                "errors": [{"title": pk, "message": message} for pk, message in result.errors],
            }
        )


ROUTINE_RESPONSES = {
    200: s.RoutineResultSerializer,
    403: READ_ONLY,
    404: NOT_FOUND,
}


class BoletosEmitView(BoletoRoutineView):
    @extend_schema(
        operation_id="titles_boletos_emit",
        description="“Emitir boletos”: para cada título, emite o boleto (reserva o nosso número) "
        "e coloca na fila um e-mail por endereço do cliente, em português, com o PDF anexo "
        "(rotina `boleto`, pela hierarquia SMTP). Emitir de novo não reenvia. Um título com "
        "problema (cliente sem e-mail, sem conta bancária...) vai para `errors` e não impede os "
        "outros; nada é reservado para ele.",
        request=s.TitleIdsSerializer,
        responses=ROUTINE_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    def run(self, titles: list[Title]) -> routines.RunResult:
        return routines.boletos_emit(titles=titles)


class BoletosResendView(BoletoRoutineView):
    @extend_schema(
        operation_id="titles_boletos_resend",
        description="“Reenvio de boletos/notas dos títulos selecionados”: novas mensagens com o "
        "PDF do boleto e os documentos anexados ao título (notas), para os e-mails do cliente. "
        "Erros por título em `errors`.",
        request=s.TitleIdsSerializer,
        responses=ROUTINE_RESPONSES,
    )
    def post(self, request: Request) -> Response:
        return super().post(request)

    def run(self, titles: list[Title]) -> routines.RunResult:
        return routines.boletos_resend(titles=titles)


# -- FEBRABAN for integrators ------------------------------------------------------------------


class BoletoParseView(BoletoView):
    @extend_schema(
        operation_id="boleto_parse",
        description="Valida e decodifica uma linha digitável ou um código de barras (como "
        "`spy boleto parse`). Dígito verificador errado, caracteres inválidos, tamanho errado, "
        'banco não suportado ou vencimento fora da janela FEBRABAN: 400 `{"line": [...]}`. '
        "O fator de vencimento recomeçou em 1000 em 22/02/2025; a data é escolhida na janela "
        "em volta de `reference_date` (padrão: hoje).",
        request=s.BoletoParseSerializer,
        responses={200: s.BoletoParsedSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = s.BoletoParseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            parsed = parse_line(
                serializer.validated_data["line"],
                reference_date=serializer.validated_data.get("reference_date"),
            )
        except BoletoError as exc:
            raise ValidationError({"line": [exc.message]}) from exc
        return Response(parsed)


COMPUTE_REQUEST = PolymorphicProxySerializer(
    component_name="BoletoComputeRequest",
    serializers=[s.BoletoComputeSerializer, s.BoletoComputeSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)
COMPUTE_RESPONSE = PolymorphicProxySerializer(
    component_name="BoletoComputeResponse",
    serializers=[s.BoletoComputedSerializer, s.BoletoComputedSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


def _compute_errors(exc: BoletoInputError, *, many: bool) -> dict[str, Any]:
    """One object: ``{"campo": ["msg"]}``; a list: ``{"índice": {"campo": ["msg"]}}``."""
    errors: dict[str, Any] = {}
    for problem in exc.problems:
        field = problem.field or "non_field_errors"
        if many and problem.index is not None:
            errors.setdefault(str(problem.index), {}).setdefault(field, []).append(problem.message)
        else:
            errors.setdefault(field, []).append(problem.message)
    return errors


class BoletoComputeView(BoletoView):
    parser_classes: ClassVar[list] = [JSONParser]

    @extend_schema(
        operation_id="boleto_compute",
        description="Calcula código de barras, linha digitável e nosso número impresso (como "
        "`spy boleto compute`): um objeto ou uma lista (até 1000); a resposta tem a mesma forma. "
        'Nada é gravado. Erro: 400 `{"campo": ["mensagem"]}`; numa lista, por índice do item '
        '(a partir de 0): `{"1": {"our_number": ["..."]}}`.',
        request=COMPUTE_REQUEST,
        responses={200: COMPUTE_RESPONSE},
    )
    def post(self, request: Request) -> Response:
        payload = request.data
        many = isinstance(payload, list)
        if many and len(payload) > 1000:
            raise ValidationError({"non_field_errors": [_("No máximo 1000 boletos por chamada.")]})
        try:
            return Response(compute_payload(payload))
        except BoletoInputError as exc:
            raise ValidationError(_compute_errors(exc, many=many)) from exc
