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
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from spysystem.finance.models import Company, Role
from spysystem.finance.validators import normalize_email_address
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


# --- “Usuários e acesso” -------------------------------------------------------------------------

ROLE_HELP = _(
    "Administrador: tudo, inclusive as configurações. Financeiro: títulos e rotinas, sem "
    "configurações. Somente consulta: vê títulos, alterações e e-mails, não altera nada."
)
COMPANIES_HELP = _(
    "Nenhuma marcada: todas as empresas. Administradores sempre veem todas as empresas."
)
EMAIL_HELP = _("Sem e-mail o usuário entra no sistema, mas não recebe os avisos do Spy System.")
# What AUTH_PASSWORD_VALIDATORS demand, in the user's language, read when the page is drawn.
PASSWORD_HELP = lazy(lambda: " ".join(password_validation.password_validators_help_texts()), str)()


def _companies_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Empresas que pode ver"),
        queryset=Company.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=COMPANIES_HELP,
    )


class AccountFieldsForm(forms.Form):
    """What the create and edit screens share: e-mail, name, role and companies."""

    email = forms.CharField(label=_("E-mail"), max_length=254, required=False, help_text=EMAIL_HELP)
    first_name = forms.CharField(label=_("Nome"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Sobrenome"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Papel"), help_text=ROLE_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
        self.fields["companies"] = _companies_field()

    def clean_email(self) -> str:
        """Validated and normalized like every address of the system; empty is allowed."""
        email = self.cleaned_data["email"].strip()
        return normalize_email_address(email) if email else ""

    def account_fields(self) -> dict[str, Any]:
        """The keyword arguments the account services take from this form."""
        data = self.cleaned_data
        return {
            "email": data["email"],
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "role": data["role"],
            "company_ids": [company.pk for company in data.get("companies") or []],
        }


class UserCreateForm(AccountFieldsForm):
    """A new user: login name and the initial password typed twice (Django's validators)."""

    username = forms.CharField(
        label=_("Usuário (login)"),
        max_length=150,
        help_text=_("Letras, números e @ . + - _ apenas."),
    )
    password1 = forms.CharField(
        label=_("Senha inicial"),
        help_text=PASSWORD_HELP,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repita a senha"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "first_name", "last_name", "email", "role", "companies"]

    def clean(self) -> dict[str, Any]:
        """Both passwords equal and accepted by ``AUTH_PASSWORD_VALIDATORS``."""
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("As duas senhas não são iguais."))
        elif first:
            candidate = User(
                username=data.get("username", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def account_fields(self) -> dict[str, Any]:
        """``finance.services.user_create`` arguments."""
        data = self.cleaned_data
        return super().account_fields() | {
            "username": data["username"].strip(),
            "password": data["password1"],
        }


class UserEditForm(AccountFieldsForm):
    """Role, companies, e-mail, name and “Ativo” of an existing user.

    An administrator cannot take away their own administrator role or deactivate themselves, and
    the last active administrator stays one, so nobody locks the configurator.
    """

    is_active = forms.BooleanField(
        label=_("Ativo"),
        required=False,
        help_text=_("Um usuário inativo não entra no sistema e não recebe e-mails."),
    )

    def __init__(self, *args: Any, user: Any, editor: Any, others_admins: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user, self.editor, self.others_admins = user, editor, others_admins

    def clean(self) -> dict[str, Any]:
        """Refuse changes that would leave nobody (or not the editor) able to configure."""
        data = super().clean()
        stays_admin = data.get("role") == Role.ADMIN and data.get("is_active")
        if self.user.is_staff and not stays_admin:
            if self.user.pk == self.editor.pk:
                raise ValidationError(
                    _(
                        "Você não pode retirar o seu próprio papel de administrador nem se "
                        "desativar."
                    )
                )
            if self.others_admins == 0:
                raise ValidationError(_("É preciso manter ao menos um administrador ativo."))
        return data

    def account_fields(self) -> dict[str, Any]:
        """``web.accounts.account_update`` arguments."""
        return super().account_fields() | {"is_active": self.cleaned_data["is_active"]}


# --- “Auditoria de configurações” ----------------------------------------------------------------

AUDIT_AREAS = [
    ("", _("Todas")),
    ("smtp", _("Servidores SMTP (todos os níveis)")),
    ("smtp:general", _("Geral / Spy System")),
    ("smtp:finance", _("Financeiro / Spy System")),
    ("smtp:company", _("Financeiro / Spy System / Empresas")),
    ("spy:recipients", _("Financeiro / Opções / Spy System")),
    ("switches", _("Opções por empresa e uso do SMTP do Spy System")),
    ("users", _("Usuários e acesso")),
]


class AuditFilterForm(forms.Form):
    """The area filter of the audit screen (prefix of ``SettingsChange.area``)."""

    area = forms.ChoiceField(label=_("Área"), choices=AUDIT_AREAS, required=False)

    def area_prefix(self) -> str | None:
        """The chosen area, or None for every area (an unknown value is ignored)."""
        return (self.cleaned_data.get("area") or None) if self.is_valid() else None
