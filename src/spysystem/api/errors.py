"""How errors raised below the API become HTTP answers (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

Services raise Django's ``ValidationError`` with Portuguese messages; the database raises
``IntegrityError``/``ProtectedError``. They become:

- ``ValidationError`` → 400 ``{"field": ["mensagem"]}`` (errors without a field go under
  ``non_field_errors``);
- ``IntegrityError`` → 400 ``{"non_field_errors": ["mensagem"]}``;
- ``ProtectedError`` → 409 ``{"detail": "Não é possível excluir: ..."}``;
- ``Http404`` → 404 ``{"detail": "Não encontrado."}``;
- anything else → DRF's own handler (401, 403, 404, 405, ... with DRF's pt-BR messages).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

UNIQUE_VIOLATION = "23505"


class Conflict(APIException):
    """409: the request is well formed but the resource's state does not allow it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A operação não é permitida no estado atual do registro.")
    default_code = "conflict"


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """``{"field": ["msg", ...]}`` from a Django ``ValidationError`` (``__all__`` renamed)."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
        for field, messages in exc.message_dict.items()
    }


def _is_unique_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == UNIQUE_VIOLATION:
        return True
    return "unique" in str(exc).lower()


def integrity_detail(exc: IntegrityError) -> dict[str, list[str]]:
    """A Portuguese message for a constraint the database caught (normally a race)."""
    if _is_unique_violation(exc):
        message = _("Já existe um registro com estes dados: um valor que deve ser único se repete.")
    else:
        message = _("Os dados violam uma restrição do banco de dados.")
    return {api_settings.NON_FIELD_ERRORS_KEY: [str(message)]}


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        return ValidationError(validation_detail(exc))
    if isinstance(exc, ProtectedError):
        return Conflict(_("Não é possível excluir: existem títulos ligados a este registro."))
    if isinstance(exc, IntegrityError):
        return ValidationError(integrity_detail(exc))
    if isinstance(exc, Http404):
        return NotFound()  # DRF would pass on Django's English "No X matches the given query."
    if isinstance(exc, ParseError) and str(exc.detail).startswith("JSON parse error"):
        return ParseError(_("O corpo da requisição não é um JSON válido."))
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The API's exception handler; ``None`` lets Django answer 500 for unexpected errors."""
    return drf_exception_handler(_translate(exc), context)
