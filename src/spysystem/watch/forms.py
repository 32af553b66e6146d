"""Forms of the Spy screens: the recipients of each ledger, and the change history filters.

The recipients page has one section per ledger (manual, steps 2–3): the default users and a
formset of (company, users) rows. Choices are loaded once per request and shared by every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spysystem.finance.models import Company, Ledger

Choices = list[tuple[Any, str]]

RULES = {
    Ledger.PAYABLE: gettext_lazy(
        "Caso não exista um usuário para a Empresa do título, então será utilizado o usuário do "
        "campo Contas a pagar."
    ),
    Ledger.RECEIVABLE: gettext_lazy(
        "Caso não exista um usuário para a Empresa do título, então será utilizado o usuário do "
        "campo Contas a receber."
    ),
}


def user_label(user: User) -> str:
    """``maria — Maria Souza (sem e-mail)``: who the user is and why they may get nothing."""
    label = user.username
    if user.get_full_name():
        label += f" — {user.get_full_name()}"
    if not user.email:
        label += " " + _("(sem e-mail)")
    if not user.is_active:
        label += " " + _("(inativo)")
    return label


@dataclass(frozen=True)
class RecipientChoices:
    """Users and companies offered on the page (loaded once)."""

    users: Choices
    companies: Choices

    @classmethod
    def load(cls) -> RecipientChoices:
        """Two queries: all users by username, all companies by code."""
        users = [(u.pk, user_label(u)) for u in User.objects.order_by("username")]
        companies = [(c.pk, str(c)) for c in Company.objects.order_by("code")]
        return cls(users=users, companies=companies)


def _users_field(label: str, choices: Choices) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class DefaultUsersForm(forms.Form):
    """The ledger's default users ("Contas a pagar" / "Contas a receber" field of the manual)."""

    def __init__(self, *args: Any, label: str, choices: RecipientChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["users"] = _users_field(label, choices.users)


class CompanyUsersForm(forms.Form):
    """One "Adicionar empresa" row: a company and the users who watch its titles."""

    def __init__(self, *args: Any, choices: RecipientChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"] = forms.TypedChoiceField(
            label=_("Empresa"),
            choices=[("", _("— escolha a empresa —")), *choices.companies],
            coerce=int,
            empty_value=None,
            required=False,
        )
        self.fields["users"] = _users_field(_("Usuários da empresa"), choices.users)

    def clean(self) -> dict[str, Any]:
        """A kept row needs both a company and at least one user."""
        data = super().clean()
        if data.get("DELETE"):
            return data
        if data.get("users") and not data.get("company"):
            self.add_error("company", _("Escolha a empresa destes usuários."))
        if data.get("company") and not data.get("users"):
            self.add_error(
                "users", _("Escolha ao menos um usuário para esta empresa, ou marque Remover.")
            )
        return data


class BaseCompanyUsersFormSet(forms.BaseFormSet):
    """Rows of one ledger; a company may appear only once."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        """Name the deletion box as the screen does: "Remover"."""
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remover")

    def clean(self) -> None:
        """Reject a company chosen in two rows."""
        if any(self.errors):
            return
        seen: set[int] = set()
        for row in kept_rows(self):
            if row["company"] in seen:
                raise ValidationError(_("A mesma empresa foi informada em duas linhas."))
            seen.add(row["company"])


CompanyUsersFormSet = forms.formset_factory(
    CompanyUsersForm, formset=BaseCompanyUsersFormSet, extra=1, can_delete=True
)


def kept_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """Cleaned rows that name a company and are not marked "Remover"."""
    rows = [form.cleaned_data for form in formset.forms if form.is_valid()]
    return [row for row in rows if row.get("company") and not row.get("DELETE")]


@dataclass
class LedgerSection:
    """What the page shows for one ledger."""

    ledger: str
    label: str
    rule: str
    defaults: DefaultUsersForm
    companies: forms.BaseFormSet

    def is_valid(self) -> bool:
        """Both the default list and every company row are valid."""
        return all([self.defaults.is_valid(), self.companies.is_valid()])

    def config(self) -> dict[str, Any]:
        """This ledger's part of ``watch.services.recipients_set(config=...)``."""
        return {
            "default": self.defaults.cleaned_data["users"],
            "companies": {row["company"]: row["users"] for row in kept_rows(self.companies)},
        }


def _initial_rows(entry: dict[str, Any], choices: RecipientChoices) -> list[dict[str, Any]]:
    order = {pk: index for index, (pk, _label) in enumerate(choices.companies)}
    rows = [{"company": int(pk), "users": users} for pk, users in entry["companies"].items()]
    return sorted(rows, key=lambda row: order.get(row["company"], len(order)))


def recipient_sections(
    *, choices: RecipientChoices, data: QueryDict | None = None, config: dict | None = None
) -> list[LedgerSection]:
    """One section per ledger, bound to ``data`` (POST) or filled from the stored ``config``."""
    sections = []
    for ledger in Ledger:
        entry = (config or {}).get(ledger.value, {"default": [], "companies": {}})
        defaults = DefaultUsersForm(
            data,
            prefix=ledger.value,
            label=str(ledger.label),
            choices=choices,
            initial={"users": entry["default"]},
        )
        companies = CompanyUsersFormSet(
            data,
            prefix=f"{ledger.value}-companies",
            initial=None if data is not None else _initial_rows(entry, choices),
            form_kwargs={"choices": choices},
        )
        sections.append(
            LedgerSection(ledger.value, str(ledger.label), str(RULES[ledger]), defaults, companies)
        )
    return sections


def with_extra_row(data: QueryDict, ledger: str) -> QueryDict:
    """A copy of the posted data with one more empty company row for ``ledger``."""
    if ledger not in Ledger.values:
        return data
    key = f"{ledger}-companies-TOTAL_FORMS"
    copy = data.copy()
    try:
        copy[key] = str(int(data.get(key, "0")) + 1)
    except ValueError:
        return data
    return copy


class ChangeFilterForm(forms.Form):
    """Filters of the change history (all optional)."""

    company = forms.ModelChoiceField(
        label=gettext_lazy("Empresa"),
        queryset=Company.objects.all(),
        required=False,
        empty_label=gettext_lazy("Todas"),
    )
    ledger = forms.ChoiceField(
        label=gettext_lazy("Carteira"),
        choices=[("", gettext_lazy("Todas")), *Ledger.choices],
        required=False,
    )
    title = forms.IntegerField(
        label=gettext_lazy("Título (nº interno)"),
        min_value=1,
        required=False,
        error_messages={"invalid": gettext_lazy("Informe o número interno do título.")},
    )

    def __init__(self, *args: Any, companies: QuerySet[Company] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["company"].queryset = companies

    def selector_filters(self) -> dict[str, Any]:
        """Keyword arguments for ``watch.selectors.change_list`` from the valid filters."""
        self.is_valid()
        data = self.cleaned_data
        company = data.get("company")
        return {
            "company_id": company.pk if company else None,
            "ledger": data.get("ledger") or None,
            "title_id": data.get("title"),
        }
