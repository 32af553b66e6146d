"""``POST /api/v1/titles/import``: the same all-or-nothing import of titles as ``spy import titles``
and the "Importar títulos" screen (``finance.imports.titles_import``).

The file travels as text in ``content`` (CSV or JSON) or, already decoded, as ``rows`` (a list of
objects with the import's columns). Companies outside the token user's access are unknown to it.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from spysystem.api.access import PERMISSIONS
from spysystem.api.schema import SpyAutoSchema
from spysystem.finance.imports import (
    COLUMN_HELP,
    FORMATS,
    MAX_BYTES,
    MAX_ROWS,
    ImportResult,
    import_rows,
    json_items,
    titles_import,
)

COLUMNS_TEXT = format_lazy(
    "{}: {}.",
    _("Colunas"),
    lazy(lambda: "; ".join(f"{name} ({text})" for name, text in COLUMN_HELP.items()), str)(),
)


class TitleImportSerializer(serializers.Serializer):
    schema_description = _("O arquivo a importar: `content` (texto CSV ou JSON) ou `rows`.")

    format = serializers.ChoiceField(
        choices=FORMATS, default="csv", help_text=_("Formato de `content`: csv ou json.")
    )
    content = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=MAX_BYTES,
        help_text=_("O texto do arquivo. CSV: primeira linha = cabeçalho, separado por ; ou ,."),
    )
    rows = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        min_length=1,
        max_length=MAX_ROWS,
        help_text=COLUMNS_TEXT,
    )
    dry_run = serializers.BooleanField(
        default=False, help_text=_("Só valida e conta; não grava nada.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Exactly one of ``content`` and ``rows``."""
        if ("content" in attrs) == ("rows" in attrs):
            raise serializers.ValidationError(_("Envie `content` ou `rows` (um dos dois)."))
        return attrs


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        read_only=True,
        help_text=_("Linha do CSV (cabeçalho = 1) ou item do JSON (de 1); 0 = arquivo."),
    )
    column = serializers.CharField(read_only=True, help_text=_("Coluna; vazio = a linha toda."))
    message = serializers.CharField(read_only=True)


class ImportResultSerializer(serializers.Serializer):
    schema_description = _("O que a importação fez (ou, com `dry_run`, faria).")

    dry_run = serializers.BooleanField(read_only=True)
    rows = serializers.IntegerField(read_only=True)
    created = serializers.IntegerField(read_only=True)
    updated = serializers.IntegerField(read_only=True)
    unchanged = serializers.IntegerField(read_only=True)
    summary = serializers.CharField(read_only=True)


class ImportRefusedSerializer(serializers.Serializer):
    schema_description = _("Importação recusada: nada foi gravado.")

    # Not required: a body that is not JSON at all gets DRF's own ``{"detail": ...}``.
    detail = serializers.CharField(required=False)
    error_count = serializers.IntegerField(required=False)
    errors = ImportErrorSerializer(many=True, required=False)


def _request_refused(errors: dict[str, Any]) -> ImportResult:
    """The request's own problems (``rows`` not a list...) in the same shape as the file's."""
    result = ImportResult(dry_run=False)
    for name, messages in errors.items():
        column = "" if name == api_settings.NON_FIELD_ERRORS_KEY else name
        for message in _flatten(messages):
            result.add_error(0, column, message)
    return result


def _flatten(messages: Any) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flatten(value)]
    return [str(messages)]


def _response(result: ImportResult) -> Response:
    if not result.ok:
        errors = [vars(error) for error in result.errors]
        body = {"detail": result.summary(), "error_count": result.error_count, "errors": errors}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    fields = ("dry_run", "rows", "created", "updated", "unchanged")
    return Response(
        {**{name: getattr(result, name) for name in fields}, "summary": result.summary()}
    )


class TitleImportView(APIView):
    permission_classes = PERMISSIONS
    schema = SpyAutoSchema()

    @extend_schema(
        operation_id="titles_import",
        description=_(
            "Cria ou altera títulos a partir de um arquivo CSV ou JSON, tudo ou nada: uma linha "
            "com problema e nada é gravado (400 com todos os problemas, por linha). Um título já "
            "cadastrado (mesma empresa, carteira, pessoa, documento e parcela) é alterado; a "
            "mudança de valor ou vencimento é registrada pelo Spy com origem `import`. "
        )
        + COLUMNS_TEXT,
        request=TitleImportSerializer,
        responses={200: ImportResultSerializer, 400: ImportRefusedSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = TitleImportSerializer(data=request.data)
        if not serializer.is_valid():
            return _response(_request_refused(serializer.errors))
        data = serializer.validated_data
        if "content" in data:
            result = titles_import(
                content=data["content"],
                fmt=data["format"],
                user=request.user,
                dry_run=data["dry_run"],
            )
            return _response(result)
        result = ImportResult(dry_run=data["dry_run"])
        rows = json_items(data["rows"], result)
        return _response(import_rows(rows, user=request.user, result=result))
