"""Forms of the e-mail screens: SMTP settings of a level, and the filters of the e-mail log.

The SMTP form only converts types; ``mail.services.smtp_settings_save`` validates the values
(port range, plain text only on loopback, addresses) and its errors come back onto the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spysystem.finance.models import Company
from spysystem.mail.models import MessageStatus, Routine, SmtpSecurity, SmtpSettings
from spysystem.mail.services import SMTP_FIELDS

_NUMBER_ERROR = {"invalid": _("Informe um número inteiro.")}

SMTP_DEFAULTS: dict[str, Any] = {
    "port": 587,
    "security": SmtpSecurity.STARTTLS,
    "timeout": 30,
    "max_connections": 2,
    "max_per_minute": 120,
}


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


def smtp_initial(settings: SmtpSettings | None) -> dict[str, Any]:
    """Starting values: the stored settings (never the password), else sensible defaults."""
    if settings is None:
        return dict(SMTP_DEFAULTS)
    return {name: getattr(settings, name) for name in SMTP_FIELDS}


class OutboxFilterForm(forms.Form):
    """Filters of the e-mail log (all optional)."""

    status = forms.ChoiceField(
        label=_("Situação"), choices=[("", _("Todas")), *MessageStatus.choices], required=False
    )
    routine = forms.ChoiceField(
        label=_("Rotina"), choices=[("", _("Todas")), *Routine.choices], required=False
    )
    company = forms.ModelChoiceField(
        label=_("Empresa"), queryset=Company.objects.all(), required=False, empty_label=_("Todas")
    )

    def filters(self) -> dict[str, Any]:
        """ORM filters for ``Message`` from the valid fields."""
        self.is_valid()
        data = self.cleaned_data
        wanted = {
            "status": data.get("status"),
            "routine": data.get("routine"),
            "company": data.get("company"),
        }
        return {name: value for name, value in wanted.items() if value}
