"""Forms of the e-mail screens: SMTP settings of a level, “Testar envio”, the switches, the route
panel and the filters of the e-mail log.

The SMTP form only converts types; ``mail.validation.validate_smtp_settings`` (called by
``smtp_settings_save`` and before a test send) validates the values, and its errors come back onto
the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spysystem.finance.models import Company, Ledger
from spysystem.mail.models import MessageStatus, Routine, SmtpSecurity, SmtpSettings
from spysystem.mail.services import SMTP_FIELDS, smtp_stored_password
from spysystem.mail.validation import validate_no_newlines, validate_smtp_settings
from spysystem.web.forms import BrDateField

_NUMBER_ERROR = {"invalid": _("Informe um número inteiro.")}

SMTP_DEFAULTS: dict[str, Any] = {
    "port": 587,
    "security": SmtpSecurity.STARTTLS,
    "timeout": 30,
    "max_connections": 2,
    "max_per_minute": 120,
}

# The routines a route is explained for (``test`` and ``alert`` are internal).
ROUTED = (Routine.SPY, Routine.BOLETO, Routine.COBRANCA, Routine.AVISO)


_TYPED_FIELDS = ("host", "username", "password", "from_email", "from_name", "reply_to")


def _number(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=help_text, error_messages=_NUMBER_ERROR)


class SmtpSettingsForm(forms.Form):
    """Host, port, security, login and sender of one SMTP level. The password is write-only."""

    host = forms.CharField(label=_("Servidor SMTP"), max_length=255)
    port = _number(_("Porta"), _("587 com STARTTLS, 465 com SSL/TLS."))
    security = forms.ChoiceField(label=_("Segurança"), choices=SmtpSecurity.choices)
    username = forms.CharField(label=_("Usuário"), max_length=255, required=False)
    password = forms.CharField(
        label=_("Senha"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Deixe em branco para manter a senha gravada."),
    )
    remove_password = forms.BooleanField(label=_("Remover senha"), required=False)
    from_email = forms.CharField(label=_("E-mail do remetente"), max_length=254)
    from_name = forms.CharField(label=_("Nome do remetente"), max_length=200, required=False)
    reply_to = forms.CharField(label=_("Responder para"), max_length=254, required=False)
    timeout = _number(_("Tempo limite (segundos)"))
    max_connections = _number(_("Conexões simultâneas"))
    max_per_minute = _number(_("Mensagens por minuto"))

    def clean(self) -> dict[str, Any]:
        """A new password and "Remover senha" together make no sense."""
        data = super().clean()
        if data.get("password") and data.get("remove_password"):
            self.add_error(
                "remove_password",
                _("Digite uma nova senha ou marque “Remover senha”, não os dois."),
            )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for ``smtp_settings_save``: ``password`` None keeps, "" removes."""
        data = self.cleaned_data
        kwargs = {name: data[name] for name in SMTP_FIELDS}
        if data["remove_password"]:
            kwargs["password"] = ""
        else:
            kwargs["password"] = data["password"] or None
        return kwargs

    def is_blank(self) -> bool:
        """Nothing typed for the server, login or sender (numbers keep their defaults)."""
        return self.is_bound and not any(
            str(self.data.get(name, "")).strip() for name in _TYPED_FIELDS
        )

    def settings_for_test(
        self, *, level: str, company: Company | None, stored: SmtpSettings | None
    ) -> tuple[SmtpSettings, str]:
        """The settings as typed (an unsaved ``SmtpSettings``) and the password to test them with.

        Raises ``ValidationError`` (by field) when the typed settings are not acceptable. An empty
        password field means the stored password, but only for the server, port, security and
        user it was stored with: a stored password is never sent to another server.
        """
        data = self.cleaned_data
        candidate = SmtpSettings(
            level=level, company=company, **{name: data[name] for name in SMTP_FIELDS}
        )
        validate_smtp_settings(candidate)
        typed = data["password"]
        validate_no_newlines({"password": typed})
        if typed or data["remove_password"] or not candidate.username:
            return candidate, typed
        return candidate, smtp_stored_password(stored=stored, candidate=candidate)


def smtp_initial(settings: SmtpSettings | None) -> dict[str, Any]:
    """Starting values: the stored settings (never the password), else sensible defaults."""
    if settings is None:
        return dict(SMTP_DEFAULTS)
    return {name: getattr(settings, name) for name in SMTP_FIELDS}


class SmtpTestForm(forms.Form):
    """“Testar envio”: the address typed in the dialog (checked by ``smtp_test_send``)."""

    prefix = "teste"

    to = forms.CharField(
        label=_("Informe o e-mail para envio"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={"required": _("Informe o e-mail para envio.")},
    )


@dataclass(frozen=True)
class Switch:
    """One option of the manual, stored in ``MailSwitches``, and the screen path it lives at."""

    name: str
    label: Any
    path: Any


SWITCHES = {
    "use_spy_smtp": Switch(
        "use_spy_smtp",
        _("Utilizar configurações abaixo do servidor SMTP spy system para envio de e-mail"),
        _("Financeiro / Spy System"),
    ),
    "cobranca_por_empresa": Switch(
        "cobranca_por_empresa", _("Gerar cobrança por empresa"), _("CRM / Telecobrança")
    ),
    "aviso_por_empresa": Switch(
        "aviso_por_empresa",
        _("Envio de e-mail de aviso de vencimento por empresa"),
        _("Financeiro / Boleto bancário / Emissão de boleto / Outras configurações"),
    ),
}


class SwitchForm(forms.Form):
    """A single option (checkbox named after the switch); unchecked means off."""

    def __init__(self, *args: Any, switch: Switch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.switch = switch
        self.fields[switch.name] = forms.BooleanField(label=switch.label, required=False)

    def values(self) -> dict[str, bool]:
        """Keyword arguments for ``mail.services.switches_set``."""
        return {self.switch.name: self.cleaned_data[self.switch.name]}


class RouteExplainForm(forms.Form):
    """“Quem recebe e por qual servidor”: a company, a ledger and a routine."""

    company = forms.ModelChoiceField(
        label=_("Empresa"),
        queryset=Company.objects.order_by("code"),
        empty_label=_("— escolha a empresa —"),
        error_messages={"required": _("Escolha a empresa.")},
    )
    ledger = forms.ChoiceField(label=_("Carteira"), choices=Ledger.choices)
    routine = forms.ChoiceField(
        label=_("Rotina"), choices=[(routine.value, routine.label) for routine in ROUTED]
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class OutboxFilterForm(forms.Form):
    """Filters of the e-mail log (all optional); dates are days in São Paulo time."""

    status = forms.ChoiceField(
        label=_("Situação"), choices=[("", _("Todas")), *MessageStatus.choices], required=False
    )
    routine = forms.ChoiceField(
        label=_("Rotina"), choices=[("", _("Todas")), *Routine.choices], required=False
    )
    company = forms.ModelChoiceField(
        label=_("Empresa"), queryset=Company.objects.all(), required=False, empty_label=_("Todas")
    )
    de = BrDateField(label=_("Criado de"), required=False)
    ate = BrDateField(label=_("até"), required=False)

    def __init__(self, *args: Any, companies: QuerySet[Company] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["company"].queryset = companies

    def clean(self) -> dict[str, Any]:
        """“de” after “até” finds nothing: say so instead."""
        data = super().clean()
        if data.get("de") and data.get("ate") and data["de"] > data["ate"]:
            self.add_error("ate", _("A data final deve ser igual ou posterior à inicial."))
        return data

    def filters(self) -> dict[str, Any]:
        """ORM filters for ``Message`` from the valid fields."""
        self.is_valid()
        data = self.cleaned_data
        wanted = {
            "status": data.get("status"),
            "routine": data.get("routine"),
            "company": data.get("company"),
            "created_at__gte": _day_start(data["de"]) if data.get("de") else None,
            "created_at__lt": _day_start(data["ate"] + timedelta(days=1))
            if data.get("ate")
            else None,
        }
        return {name: value for name, value in wanted.items() if value}
