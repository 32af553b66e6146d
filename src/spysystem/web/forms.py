"""Form pieces shared by the screens: Brazilian amounts and dates, and service error mapping.

Forms only validate and convert; the writes are done by services. A service's
``ValidationError`` is put back on the form next to the field it names, so the page shows the
error where the user typed and keeps everything else that was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from spysystem.formats import decimal_br

T = TypeVar("T")

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
_THOUSANDS_ONLY = re.compile(r"^\d{1,3}(\.\d{3})+$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def parse_amount(text: str) -> Decimal:
    """``1.234,56`` / ``1234,56`` / ``1234.56`` / ``R$ 1.234`` → ``Decimal``.

    When both separators appear, the last one is the decimal separator. A lone comma is decimal;
    lone dots are thousands separators when every group after them has three digits
    (``1.234`` → 1234, the Brazilian reading), else the dot is decimal (``1234.5``).
    Raises ``ValueError`` for anything else (letters, signs, empty).
    """
    value = re.sub(r"\s", "", text).removeprefix("R$")
    if "," in value and "." in value:
        decimal_sep = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        value = value.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in value:
        value = value.replace(",", ".")
    elif _THOUSANDS_ONLY.match(value):
        value = value.replace(".", "")
    if not _NUMBER.match(value):
        raise ValueError(text)
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guarantees a number
        raise ValueError(text) from exc


class AmountInput(forms.TextInput):
    """A text box that shows a stored ``Decimal`` as ``1.234,56``."""

    def format_value(self, value: Any) -> str | None:
        """Decimals in Brazilian format; what the user typed is shown back unchanged."""
        if isinstance(value, Decimal | int | float):
            return decimal_br(value)
        return super().format_value(value)


class AmountField(forms.Field):
    """A positive money amount typed as ``1.234,56`` or ``1234.56``, two decimals at most."""

    widget = AmountInput
    default_error_messages = {
        "invalid": _("Informe um valor numérico, por exemplo 1.234,56."),
        "not_positive": _("O valor deve ser maior que zero."),
        "decimals": _("Use no máximo 2 casas decimais."),
        "too_big": _("Valor grande demais."),
    }

    def __init__(self, *, max_digits: int = 14, **kwargs: Any) -> None:
        self.max_digits = max_digits
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        """Numeric keyboard on phones and an example in the box."""
        return {**super().widget_attrs(widget), "inputmode": "decimal", "placeholder": "1.234,56"}

    def to_python(self, value: Any) -> Decimal | None:
        """Parse the text; empty → ``None`` (the ``required`` check comes after)."""
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        stripped = str(value).strip()
        if stripped.startswith("-"):
            raise ValidationError(self.error_messages["not_positive"], code="not_positive")
        try:
            return parse_amount(stripped)
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def validate(self, value: Decimal | None) -> None:
        """Positive, two decimals, fits ``max_digits``."""
        super().validate(value)
        if value is None:
            return
        if value <= 0:
            raise ValidationError(self.error_messages["not_positive"], code="not_positive")
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(self.error_messages["decimals"], code="decimals")
        if value >= Decimal(10) ** (self.max_digits - 2):
            raise ValidationError(self.error_messages["too_big"], code="too_big")


class BrDateField(forms.DateField):
    """A date typed as ``dd/mm/aaaa`` (or ISO ``aaaa-mm-dd``), shown as ``dd/mm/aaaa``."""

    widget = forms.DateInput(
        format="%d/%m/%Y", attrs={"placeholder": "dd/mm/aaaa", "inputmode": "numeric"}
    )
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {
        "invalid": _("Data inválida: use dd/mm/aaaa, por exemplo 31/12/2026.")
    }


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: known fields by name, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


def call_service(form: forms.Form, service: Callable[..., T], **kwargs: Any) -> T | None:
    """Run ``service(**kwargs)``; on ``ValidationError`` map it onto ``form`` and return None."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
