"""Forms of the routines screens: tasks, routine options, e-mail templates, bank accounts.

They only validate and convert what was typed; the services do the writes and their
``ValidationError`` is put back next to the field (``web.forms.call_service``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from spysystem import boleto as core
from spysystem.finance.models import Company, Title
from spysystem.web.forms import BrDateField

CRON_HELP = _(
    "Formato cron, cinco campos separados por espaço: minuto (0–59), hora (0–23), dia do mês "
    "(1–31), mês (1–12) e dia da semana (0–6, 0 = domingo). “*” quer dizer todos; “1-5”, "
    "de segunda a sexta; “*/15”, a cada 15. Exemplos: “0 7 * * *” todo dia às 7h00; "
    "“30 8 * * 1-5” de segunda a sexta às 8h30. Horário de Brasília."
)


class TaskForm(forms.Form):
    schedule = forms.CharField(label=_("Agenda (cron)"), max_length=100, help_text=CRON_HELP)
    enabled = forms.BooleanField(label=_("Ativa"), required=False)
    notify_users = forms.ModelMultipleChoiceField(
        label=_("Spy: usuários avisados por e-mail quando a tarefa falhar"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notify_users"].label_from_instance = lambda user: (
            f"{user.username} — {user.get_full_name() or user.username}"
            + ("" if user.email else f" ({_('sem e-mail')})")
        )


class RunNowForm(forms.Form):
    as_of = BrDateField(
        label=_("Como se fosse o dia"),
        required=False,
        help_text=_(
            "Opcional, dd/mm/aaaa: executa a tarefa como se fosse este dia (padrão: hoje)."
        ),
    )


def _days(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


class RoutineOptionsForm(forms.Form):
    aviso_offsets = forms.CharField(
        label=_("Dias do aviso de vencimento"),
        max_length=200,
        help_text=_(
            "Quantos dias antes do vencimento o aviso sai, separados por vírgula "
            "(ex.: 5, 1, 0 — 0 é no dia)."
        ),
    )
    cobranca_levels = forms.CharField(
        label=_("Níveis de cobrança"),
        max_length=200,
        help_text=_(
            "Dias de atraso de cada nível de cobrança, separados por vírgula (ex.: 1, 7, 15, 30)."
        ),
    )
    reply_to = forms.CharField(
        label=_("Responder para"),
        max_length=254,
        required=False,
        help_text=_("E-mail que recebe as respostas dos clientes; vazio: o do servidor SMTP."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "aviso_offsets": _days(data["aviso_offsets"]),
            "cobranca_levels": _days(data["cobranca_levels"]),
            "reply_to": data["reply_to"].strip(),
        }


def days_text(values: list | None) -> str:
    return ", ".join(str(v) for v in values or [])


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("Assunto"), max_length=300)
    body_text = forms.CharField(
        label=_("Texto"), widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"})
    )
    body_html = forms.CharField(
        label=_("HTML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
    )
    title = forms.ModelChoiceField(
        label=_("Título para a pré-visualização"),
        queryset=Title.objects.none(),
        required=False,
        empty_label=_("— escolha um título —"),
    )

    def __init__(self, *args: Any, titles: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if titles is not None:
            self.fields["title"].queryset = titles
        self.fields["title"].label_from_instance = lambda t: (
            f"{t.company.code} · {t} · {t.party.name}"
        )


BANK_CHOICES = [("", _("— escolha o banco —"))] + [
    (code, f"{code} · {bank.name}") for code, bank in core.BANKS.items()
]


def _percent(text: str) -> Decimal:
    try:
        return Decimal((text or "0").strip().replace(".", "").replace(",", ".") or "0")
    except InvalidOperation as exc:
        raise forms.ValidationError(_("Informe um percentual, por exemplo 2,00.")) from exc


class BankAccountForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Empresa"), queryset=Company.objects.all(), empty_label=_("— escolha —")
    )
    bank_code = forms.ChoiceField(label=_("Banco"), choices=BANK_CHOICES)
    agency = forms.CharField(label=_("Agência"), max_length=10)
    agency_dv = forms.CharField(label=_("Dígito da agência"), max_length=2, required=False)
    account = forms.CharField(label=_("Conta"), max_length=20, required=False)
    account_dv = forms.CharField(label=_("Dígito da conta"), max_length=2, required=False)
    wallet = forms.CharField(label=_("Carteira"), max_length=10, required=False)
    agreement = forms.CharField(
        label=_("Convênio / código do beneficiário"), max_length=20, required=False
    )
    extras = forms.CharField(
        label=_("Campos do banco"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "Um por linha, CAMPO=VALOR (ex.: posto=02). Veja abaixo os campos de cada banco."
        ),
    )
    beneficiary_name = forms.CharField(label=_("Beneficiário"), max_length=200)
    beneficiary_document = forms.CharField(label=_("CPF/CNPJ do beneficiário"), max_length=18)
    beneficiary_address = forms.CharField(
        label=_("Endereço do beneficiário"), max_length=300, required=False
    )
    instructions = forms.CharField(
        label=_("Instruções"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fine_percent = forms.CharField(label=_("Multa (%)"), max_length=10, initial="0,00")
    interest_month_percent = forms.CharField(
        label=_("Juros ao mês (%)"), max_length=10, initial="0,00"
    )
    next_our_number = forms.IntegerField(label=_("Próximo nosso número"), min_value=1, initial=1)
    is_default = forms.BooleanField(
        label=_("Conta padrão da empresa"), required=False, initial=True
    )

    def clean_fine_percent(self) -> Decimal:
        return _percent(self.cleaned_data["fine_percent"])

    def clean_interest_month_percent(self) -> Decimal:
        return _percent(self.cleaned_data["interest_month_percent"])

    def clean_extras(self) -> dict[str, str]:
        extras: dict[str, str] = {}
        for line in (self.cleaned_data["extras"] or "").splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(
                    _("Linha inválida: “%(line)s”. Use CAMPO=VALOR.") % {"line": line.strip()}
                )
            extras[key.strip()] = value.strip()
        return extras


def bank_account_initial(account: Any) -> dict[str, Any]:
    initial = {name: getattr(account, name) for name in BankAccountForm.base_fields}
    initial["company"] = account.company_id
    initial["extras"] = "\n".join(f"{k}={v}" for k, v in (account.extras or {}).items())
    for name in ("fine_percent", "interest_month_percent"):
        initial[name] = f"{getattr(account, name):.2f}".replace(".", ",")
    return initial
