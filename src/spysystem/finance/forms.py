"""Forms of the títulos screens: validate and convert what was typed; services do the writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from spysystem.finance.models import Company, Ledger, Party, Title, TitleStatus
from spysystem.web.forms import AmountField, BrDateField

_EMPTY_CHOICE = [("", _("Todas"))]


class CompanyScopedForm(forms.Form):
    """A form whose ``company`` field offers only ``companies`` (the user's visible ones)."""

    def __init__(self, *args: Any, companies: QuerySet[Company] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["company"].queryset = companies


class TitleForm(CompanyScopedForm):
    """Create or edit a title. ``cleaned_data`` holds exactly the service's field names."""

    company = forms.ModelChoiceField(
        label=_("Empresa"),
        queryset=Company.objects.all(),
        empty_label=_("— escolha —"),
        error_messages={"invalid_choice": _("Empresa desconhecida: escolha uma da lista.")},
    )
    ledger = forms.ChoiceField(label=_("Carteira"), choices=Ledger.choices)
    party = forms.ModelChoiceField(
        label=_("Pessoa"),
        queryset=Party.objects.all(),
        empty_label=_("— escolha —"),
        error_messages={"invalid_choice": _("Pessoa desconhecida: escolha uma da lista.")},
    )
    document = forms.CharField(label=_("Documento"), max_length=40)
    installment = forms.IntegerField(
        label=_("Parcela"),
        min_value=1,
        max_value=32767,
        initial=1,
        error_messages={"invalid": _("Informe o número da parcela (1, 2, 3...).")},
    )
    issue_date = BrDateField(label=_("Emissão"))
    due_date = BrDateField(label=_("Vencimento"))
    amount = AmountField(label=_("Valor (R$)"), help_text=_("Ex.: 1.234,56"))
    status = forms.ChoiceField(
        label=_("Situação"), choices=TitleStatus.choices, initial=TitleStatus.OPEN
    )
    description = forms.CharField(
        label=_("Descrição"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_document(self) -> str:
        """Trim spaces around the document number."""
        return self.cleaned_data["document"].strip()


def title_initial(title: Title) -> dict[str, Any]:
    """The edit form's starting values, taken from the stored title."""
    return {name: getattr(title, name) for name in TitleForm.base_fields}


class TitleFilterForm(CompanyScopedForm):
    """The filters of the titles list (all optional; an invalid one is reported and ignored)."""

    company = forms.ModelChoiceField(
        label=_("Empresa"), queryset=Company.objects.all(), required=False, empty_label=_("Todas")
    )
    ledger = forms.ChoiceField(
        label=_("Carteira"), choices=_EMPTY_CHOICE + Ledger.choices, required=False
    )
    status = forms.ChoiceField(
        label=_("Situação"), choices=_EMPTY_CHOICE + TitleStatus.choices, required=False
    )
    due_from = BrDateField(label=_("Vencimento de"), required=False)
    due_to = BrDateField(label=_("até"), required=False)

    def selector_filters(self) -> dict[str, Any]:
        """Keyword arguments for ``finance.selectors.title_list`` from the valid filters."""
        self.is_valid()
        data = self.cleaned_data
        company = data.get("company")
        return {
            "company_id": company.pk if company else None,
            "ledger": data.get("ledger") or None,
            "status": data.get("status") or None,
            "due_from": data.get("due_from"),
            "due_to": data.get("due_to"),
        }


class TitleDocumentForm(forms.Form):
    """Upload of a title's document (a PDF "nota"); the service checks type and size."""

    file = forms.FileField(
        label=_("Nota (PDF, até 5 MB)"),
        error_messages={"required": _("Escolha o arquivo PDF.")},
    )


class TitleImportForm(forms.Form):
    """“Importar títulos”: the file; its format comes from the extension unless chosen."""

    FORMAT_CHOICES = [("", _("Pela extensão do arquivo")), ("csv", "CSV"), ("json", "JSON")]

    file = forms.FileField(
        label=_("Arquivo CSV ou JSON (até 10 MB)"),
        error_messages={"required": _("Escolha o arquivo a importar.")},
    )
    format = forms.ChoiceField(label=_("Formato"), choices=FORMAT_CHOICES, required=False)


class PartyOptOutForm(forms.Form):
    """The customer's opt-outs of the routines' e-mails."""

    aviso = forms.BooleanField(label=_("Não enviar aviso de vencimento"), required=False)
    cobranca = forms.BooleanField(label=_("Não enviar e-mail de cobrança"), required=False)


class PartySearchForm(forms.Form):
    q = forms.CharField(label=_("Nome ou CPF/CNPJ"), required=False, max_length=200)
