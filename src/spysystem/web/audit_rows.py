"""How the “Auditoria de configurações” screen shows a ``SettingsChange`` in Portuguese.

Secrets arrive already masked by ``audit.services``; ``password_encrypted`` is never shown, even if
some future writer stores it. User and company ids inside the Spy recipients are shown by name,
loaded once for the whole page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spysystem.audit.models import SettingsChange
from spysystem.finance.models import Company, Ledger, Role
from spysystem.mail.models import SmtpSecurity
from spysystem.watch.context import Origin

HIDDEN = frozenset({"password_encrypted"})

FIELD_LABELS: dict[str, Any] = {
    "host": gettext_lazy("Servidor SMTP"),
    "port": gettext_lazy("Porta"),
    "security": gettext_lazy("Segurança"),
    "username": gettext_lazy("Usuário"),
    "password": gettext_lazy("Senha"),
    "password_changed": gettext_lazy("Senha alterada"),
    "from_email": gettext_lazy("E-mail do remetente"),
    "from_name": gettext_lazy("Nome do remetente"),
    "reply_to": gettext_lazy("Responder para"),
    "timeout": gettext_lazy("Tempo limite (segundos)"),
    "max_connections": gettext_lazy("Conexões simultâneas"),
    "max_per_minute": gettext_lazy("Mensagens por minuto"),
    "payable": Ledger.PAYABLE.label,
    "receivable": Ledger.RECEIVABLE.label,
    "use_spy_smtp": gettext_lazy(
        "Utilizar configurações abaixo do servidor SMTP spy system para envio de e-mail"
    ),
    "cobranca_por_empresa": gettext_lazy("Gerar cobrança por empresa"),
    "aviso_por_empresa": gettext_lazy("Envio de e-mail de aviso de vencimento por empresa"),
    "role": gettext_lazy("Papel"),
    "companies": gettext_lazy("Empresas"),
    "email": gettext_lazy("E-mail"),
    "first_name": gettext_lazy("Nome"),
    "last_name": gettext_lazy("Sobrenome"),
    "is_active": gettext_lazy("Ativo"),
}

AREA_LABELS: dict[str, Any] = {
    "smtp:general": gettext_lazy("Geral / Spy System (servidor SMTP)"),
    "smtp:finance": gettext_lazy("Financeiro / Spy System (servidor SMTP)"),
    "smtp:company": gettext_lazy("Financeiro / Spy System / Empresas"),
    "spy:recipients": gettext_lazy("Financeiro / Opções / Spy System (usuários que recebem)"),
    "switches": gettext_lazy("Opções de envio (SMTP do Spy System, cobrança e aviso por empresa)"),
    "users": gettext_lazy("Usuários e acesso"),
}


def area_label(area: str) -> str:
    """``smtp:company:E01`` → ``Financeiro / Spy System / Empresas · E01``."""
    for prefix, label in AREA_LABELS.items():
        if area == prefix:
            return str(label)
        if area.startswith(prefix + ":"):
            return f"{label} · {area[len(prefix) + 1 :]}"
    return area


@dataclass(frozen=True)
class Names:
    """Usernames and company codes for the ids that appear in a page of changes."""

    users: dict[int, str]
    companies: dict[int, str]

    @classmethod
    def load(cls, changes: Iterable[SettingsChange]) -> Names:
        """Two queries, whatever the number of changes."""
        user_ids: set[int] = set()
        company_ids: set[int] = set()
        for change in changes:
            if change.area == "spy:recipients":
                for side in (change.before or {}, change.after or {}):
                    _collect_ids(side, user_ids, company_ids)
        users = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username"))
        companies = dict(Company.objects.filter(pk__in=company_ids).values_list("pk", "code"))
        return cls(users=users, companies=companies)

    def user(self, pk: Any) -> str:
        return self.users.get(int(pk), f"#{pk}")

    def company(self, pk: Any) -> str:
        return self.companies.get(int(pk), f"#{pk}")


def _collect_ids(config: dict, user_ids: set[int], company_ids: set[int]) -> None:
    for entry in config.values():
        if not isinstance(entry, dict):
            continue
        user_ids.update(int(pk) for pk in entry.get("default", []))
        for company_id, users in (entry.get("companies") or {}).items():
            company_ids.add(int(company_id))
            user_ids.update(int(pk) for pk in users)


def _recipients_text(entry: Any, names: Names) -> str:
    if not isinstance(entry, dict):
        return _plain(entry)
    default = ", ".join(names.user(pk) for pk in entry.get("default", [])) or "—"
    parts = [_("padrão: %(users)s") % {"users": default}]
    for company_id, users in sorted((entry.get("companies") or {}).items()):
        listed = ", ".join(names.user(pk) for pk in users)
        parts.append(f"{names.company(company_id)}: {listed}")
    return "; ".join(parts)


def _plain(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return _("sim")
    if value is False:
        return _("não")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _choice(choices: type, value: Any) -> str:
    return str(choices(value).label) if value in choices.values else _plain(value)


def value_text(key: str, value: Any, names: Names) -> str:
    """One stored value as the screen shows it (``sim``/``não``, labels, names, ``—``)."""
    if key in ("payable", "receivable"):
        return _recipients_text(value, names)
    if key == "security":
        return _choice(SmtpSecurity, value)
    if key == "role":
        return _choice(Role, value)
    if key == "password" and value is False:
        return _("sem senha")
    return _plain(value)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    change: SettingsChange
    area: str
    event: str
    origin: str
    fields: list[FieldChange]


def _event(change: SettingsChange) -> str:
    if change.before is None:
        return _("criado")
    if change.after is None:
        return _("removido")
    return _("alterado")


_ORDER = {key: index for index, key in enumerate(FIELD_LABELS)}


def _field_change(change: SettingsChange, key: str, names: Names) -> FieldChange:
    before, after = change.before or {}, change.after or {}
    return FieldChange(
        label=str(FIELD_LABELS.get(key, key)),
        before=value_text(key, before.get(key), names) if change.before is not None else "—",
        after=value_text(key, after.get(key), names) if change.after is not None else "—",
    )


def audit_row(change: SettingsChange, names: Names) -> AuditRow:
    """The row of one change: area, event, origin and each changed field old → new, in the
    order of the screens; a creation or removal leaves out the fields that were empty."""
    keys = sorted(
        (key for key in change.changed_fields if key not in HIDDEN),
        key=lambda key: (_ORDER.get(key, len(_ORDER)), key),
    )
    fields = [_field_change(change, key, names) for key in keys]
    fields = [field for field in fields if field.before != "—" or field.after != "—"]
    return AuditRow(
        change=change,
        area=area_label(change.area),
        event=_event(change),
        origin=_choice(Origin, change.origin),
        fields=fields,
    )


def audit_rows(changes: Iterable[SettingsChange]) -> list[AuditRow]:
    """Rows for a page of changes (two extra queries for the names)."""
    changes = list(changes)
    names = Names.load(changes)
    return [audit_row(change, names) for change in changes]
