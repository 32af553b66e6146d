"""Import of titles from a CSV or JSON file: ``spy import titles``, the "Importar títulos" screen
and ``POST /api/v1/titles/import`` all call ``titles_import``.

All or nothing: every row is parsed and validated first; one broken row and nothing is written,
every problem is reported with its line (CSV: the file's line, the header being line 1; JSON: the
item's position, from 1). A row whose natural key (empresa, carteira, pessoa, documento, parcela)
matches a stored title updates it — a new amount or due date is captured like any other write, with
origin "importação" — otherwise it creates one. Companies outside the user's access are unknown to
the import.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from spysystem.finance.documents import normalize
from spysystem.finance.forms import TitleForm
from spysystem.finance.models import Company, Ledger, Party, Title, TitleStatus
from spysystem.finance.selectors import companies_visible
from spysystem.watch.context import Origin, write_context

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_ERRORS = 200
FORMATS = ("csv", "json")

# Column → the TitleForm field it fills. Headers are compared without accents or case.
COLUMNS = {
    "empresa": "company",
    "carteira": "ledger",
    "pessoa": "party",
    "documento": "document",
    "parcela": "installment",
    "emissao": "issue_date",
    "vencimento": "due_date",
    "valor": "amount",
    "situacao": "status",
    "descricao": "description",
}
REQUIRED = ("empresa", "carteira", "pessoa", "documento", "vencimento", "valor")
# What each column holds: the screen's help table and the API's description read it from here.
COLUMN_HELP = {
    "empresa": _l("código da empresa, ex.: E01"),
    "carteira": _l("pagar ou receber"),
    "pessoa": _l("CPF/CNPJ da pessoa já cadastrada"),
    "documento": _l("número do documento, ex.: NF-1234"),
    "parcela": _l("1, 2, 3… (padrão 1)"),
    "emissao": _l("dd/mm/aaaa (padrão: hoje; num título existente, mantém)"),
    "vencimento": _l("dd/mm/aaaa ou aaaa-mm-dd"),
    "valor": _l("1.234,56 ou 1234.56"),
    "situacao": _l("aberto, pago ou cancelado (padrão aberto)"),
    "descricao": _l("texto livre"),
}
COLUMN_OF = {field_name: column for column, field_name in COLUMNS.items()}
# What a user may type for ledger and status (compared without accents or case).
LEDGER_WORDS = {
    Ledger.PAYABLE: ("pagar", "a pagar", "contas a pagar", "payable"),
    Ledger.RECEIVABLE: ("receber", "a receber", "contas a receber", "receivable"),
}
STATUS_WORDS = {
    TitleStatus.OPEN: ("aberto", "em aberto", "open"),
    TitleStatus.PAID: ("pago", "paid"),
    TitleStatus.CANCELLED: ("cancelado", "cancelled"),
}


@dataclass(frozen=True)
class RowError:
    """One problem: ``line`` 0 is the file as a whole; ``column`` is empty for the whole row."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("arquivo") if self.line == 0 else _("linha %(n)d") % {"n": self.line}
        column = f" [{self.column}]" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass
class ImportResult:
    """What an import did (with ``dry_run``: would do). Any ``errors`` → nothing was written."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, line: int, column: str, message: str) -> None:
        """Record a problem; only the first ``MAX_ERRORS`` are kept, all are counted."""
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, column, str(message)))

    def summary(self) -> str:
        """One Portuguese sentence for the screen, the CLI and the API."""
        if not self.ok:
            return _("Importação recusada: %(n)d problema(s) encontrado(s); nada foi gravado.") % {
                "n": self.error_count
            }
        verb = _("seriam") if self.dry_run else _("foram")
        return _(
            "%(rows)d linha(s): %(created)d título(s) %(verb)s criado(s), %(updated)d "
            "alterado(s), %(unchanged)d sem mudança."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "verb": verb,
        }


def plain(text: str) -> str:
    """Lower case, no accents, single spaces, underscores as spaces: how headers and words match."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(ascii_only.replace("_", " ").lower().split())


# --- reading the file ---------------------------------------------------------------------------


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 — what Excel in Portuguese saves."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="strict")


def read_rows(text: str, fmt: str, result: ImportResult) -> list[tuple[int, dict[str, Any]]]:
    """``(line, {column: value})`` for every data row; file-level problems go to ``result``."""
    if "\x00" in text:
        result.add_error(0, "", _("o arquivo contém caracteres nulos: não é um texto CSV/JSON."))
        return []
    rows = _csv_rows(text, result) if fmt == "csv" else _json_rows(text, result)
    if len(rows) > MAX_ROWS:
        result.add_error(
            0,
            "",
            _("arquivo com %(n)d linhas; o máximo é %(max)d.") % {"n": len(rows), "max": MAX_ROWS},
        )
        return []
    if not rows and result.ok:
        result.add_error(0, "", _("o arquivo não tem nenhum título."))
    return rows


def _delimiter(header_line: str) -> str:
    # Excel in Portuguese writes ";" (the comma is the decimal separator); accept "," and tab too.
    return max(";,\t", key=header_line.count)


def _csv_rows(text: str, result: ImportResult) -> list[tuple[int, dict[str, Any]]]:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.add_error(0, "", _("o arquivo está vazio: a primeira linha deve ser o cabeçalho."))
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[0]), strict=True)
    try:
        header = [plain(name) for name in next(reader)]
        if not _check_header(header, result):
            return []
        return _csv_data(reader, header, result)
    except csv.Error as exc:
        result.add_error(reader.line_num, "", _("CSV malformado (%(error)s).") % {"error": exc})
        return []


def _csv_data(reader: Any, header: list[str], result: ImportResult) -> list[tuple[int, dict]]:
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            result.add_error(
                reader.line_num,
                "",
                _("a linha tem %(got)d colunas; o cabeçalho tem %(want)d.")
                % {"got": len(cells), "want": len(header)},
            )
            continue
        rows.append((reader.line_num, dict(zip(header, cells, strict=True))))
    return rows


def _check_header(header: Iterable[str], result: ImportResult) -> bool:
    names = list(header)
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    known = ", ".join(COLUMNS)
    for name in unknown:
        result.add_error(
            0, name, _("coluna desconhecida; as colunas são: %(known)s.") % {"known": known}
        )
    for name in missing:
        result.add_error(0, name, _("coluna obrigatória ausente."))
    for name in repeated:
        result.add_error(0, name, _("coluna repetida."))
    return not (unknown or missing or repeated)


def _json_rows(text: str, result: ImportResult) -> list[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        result.add_error(0, "", _("JSON inválido (%(error)s).") % {"error": str(exc)[:120]})
        return []
    if isinstance(data, dict) and set(data) == {"titulos"}:
        data = data["titulos"]
    if not isinstance(data, list):
        result.add_error(0, "", _('o JSON deve ser uma lista de títulos ou {"titulos": [...]}.'))
        return []
    return json_items(data, result)


def _no_constant(name: str) -> None:
    raise ValueError(_("valor %(name)s não é aceito") % {"name": name})


def json_items(items: list[Any], result: ImportResult) -> list[tuple[int, dict[str, Any]]]:
    """Validate the shape of decoded JSON items: objects of known keys with scalar values."""
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            result.add_error(
                number, "", _("cada item deve ser um objeto com as colunas do título.")
            )
            continue
        cells = {plain(key): value for key, value in item.items()}
        if not _check_item(number, cells, result):
            continue
        rows.append((number, cells))
    return rows


def _check_item(number: int, cells: dict[str, Any], result: ImportResult) -> bool:
    ok = True
    for key, value in cells.items():
        if key not in COLUMNS:
            result.add_error(number, key, _("coluna desconhecida."))
            ok = False
        elif isinstance(value, dict | list | bool):
            result.add_error(number, key, _("informe um texto ou um número."))
            ok = False
    for key in REQUIRED:
        if cells.get(key) in (None, ""):
            result.add_error(number, key, _("campo obrigatório."))
            ok = False
    return ok


# --- validating the rows ------------------------------------------------------------------------


@dataclass
class _Plan:
    line: int
    data: dict[str, Any]
    title: Title | None


class _Lookup:
    """Everything the rows refer to, read in a handful of queries."""

    def __init__(self, rows: list[tuple[int, dict[str, Any]]], user: object | None) -> None:
        companies = companies_visible(user) if user is not None else Company.objects.all()
        codes = {_text(cells.get("empresa")) for _line, cells in rows}
        self.companies = companies
        self.company_by_code = {c.code: c for c in companies.filter(code__in=codes)}
        documents = {normalize(_text(cells.get("pessoa"))) for _line, cells in rows}
        self.party_by_document = {
            p.document: p for p in Party.objects.filter(document__in=documents)
        }
        self.titles = self._titles(rows)

    def _titles(self, rows: list[tuple[int, dict[str, Any]]]) -> dict[tuple, Title]:
        documents = {_text(cells.get("documento")) for _line, cells in rows}
        stored = Title.objects.filter(
            company__in=self.company_by_code.values(),
            party__in=self.party_by_document.values(),
            document__in=documents,
        ).select_for_update()
        return {
            _key(t.company_id, t.ledger, t.party_id, t.document, t.installment): t for t in stored
        }


def _key(company_id: int, ledger: str, party_id: int, document: str, installment: int) -> tuple:
    return (company_id, ledger, party_id, document, int(installment))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _word(value: Any, words: dict[str, tuple[str, ...]]) -> str:
    typed = plain(_text(value))
    for choice, accepted in words.items():
        if typed in accepted:
            return choice
    return typed  # unknown: the form rejects it with its own message


def _form_data(cells: dict[str, Any], lookup: _Lookup, result: ImportResult, line: int) -> dict:
    data = {COLUMNS[column]: _text(value) for column, value in cells.items()}
    company = lookup.company_by_code.get(data["company"])
    party = lookup.party_by_document.get(normalize(data["party"]))
    if company is None:
        result.add_error(
            line,
            "empresa",
            _("empresa desconhecida ou fora do seu acesso: %(code)s.")
            % {"code": data["company"][:40]},
        )
    if party is None:
        result.add_error(
            line,
            "pessoa",
            _("pessoa com CPF/CNPJ %(doc)s não cadastrada.") % {"doc": data["party"][:40]},
        )
    data["company"] = company.pk if company else None
    data["party"] = party.pk if party else None
    data["ledger"] = _word(data["ledger"], LEDGER_WORDS)
    if "status" in data:
        data["status"] = _word(data["status"], STATUS_WORDS)
    return data


def _with_defaults(data: dict[str, Any], stored: Title | None) -> dict[str, Any]:
    # A column left out of the file keeps the stored value; a new title starts open, issued today.
    defaults = {
        "installment": "1",
        "issue_date": stored.issue_date if stored else timezone.localdate(),
        "status": stored.status if stored else TitleStatus.OPEN,
        "description": stored.description if stored else "",
    }
    return {**defaults, **{k: v for k, v in data.items() if v != "" or k == "description"}}


def _plan_row(
    line: int, cells: dict[str, Any], lookup: _Lookup, result: ImportResult
) -> _Plan | None:
    data = _form_data(cells, lookup, result, line)
    if data["company"] is None or data["party"] is None:
        return None
    stored = lookup.titles.get(_row_key(data))
    form = TitleForm(_with_defaults(data, stored), companies=lookup.companies)
    if not form.is_valid():
        for name, messages in form.errors.items():
            for message in messages:
                result.add_error(line, COLUMN_OF.get(name, ""), message)
        return None
    return _checked_plan(line, form.cleaned_data, stored, result)


def _row_key(data: dict[str, Any]) -> tuple | None:
    # Read the parcela as the form will ("1.0" is 1), or a stored title is taken for a new one.
    try:
        installment = TitleForm.base_fields["installment"].to_python(data.get("installment") or 1)
    except ValidationError:
        return None
    return _key(data["company"], data["ledger"], data["party"], data["document"], installment)


def _checked_plan(
    line: int, cleaned: dict, stored: Title | None, result: ImportResult
) -> _Plan | None:
    candidate = Title(**cleaned)
    try:
        # The form already checked company and party; skip their per-row existence queries.
        candidate.clean_fields(exclude={"company", "party", "updated_by"})
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                result.add_error(line, COLUMN_OF.get(name, ""), message)
        return None
    return _Plan(line, cleaned, stored)


def _plans(
    rows: list[tuple[int, dict[str, Any]]], user: object | None, result: ImportResult
) -> list[_Plan]:
    lookup = _Lookup(rows, user)
    plans: list[_Plan] = []
    seen: dict[tuple, int] = {}
    for line, cells in rows:
        plan = _plan_row(line, cells, lookup, result)
        if plan is None:
            continue
        key = _key(
            plan.data["company"].pk,
            plan.data["ledger"],
            plan.data["party"].pk,
            plan.data["document"],
            plan.data["installment"],
        )
        if key in seen:
            result.add_error(line, "", _("repete o título da linha %(n)d.") % {"n": seen[key]})
            continue
        seen[key] = line
        plans.append(plan)
    return plans


# --- writing ------------------------------------------------------------------------------------

_UPDATABLE = ("issue_date", "due_date", "amount", "status", "description")


def _changed(title: Title, data: dict[str, Any]) -> bool:
    return any(getattr(title, name) != data[name] for name in _UPDATABLE)


def _apply(plans: list[_Plan], user: object | None, result: ImportResult) -> None:
    author = user if getattr(user, "pk", None) else None
    now = timezone.now()
    new = [Title(**plan.data, updated_by=author) for plan in plans if plan.title is None]
    changed = [plan for plan in plans if plan.title is not None and _changed(plan.title, plan.data)]
    for plan in changed:
        for name in _UPDATABLE:
            setattr(plan.title, name, plan.data[name])
        plan.title.updated_at, plan.title.updated_by = now, author
    result.created, result.updated = len(new), len(changed)
    result.unchanged = len(plans) - len(new) - len(changed)
    if result.dry_run:
        return
    Title.objects.bulk_create(new, batch_size=500)
    titles = [plan.title for plan in changed]
    Title.objects.bulk_update(titles, [*_UPDATABLE, "updated_at", "updated_by"], batch_size=500)


class _Rejected(Exception):
    """Raised inside the transaction so that a rejected import rolls everything back."""


def titles_import(
    *, content: bytes | str, fmt: str, user: object | None, dry_run: bool = False
) -> ImportResult:
    """Validate every row of ``content`` (``fmt`` "csv" or "json"), then create/update the titles
    in one transaction attributed to ``user`` with origin "importação" — or nothing at all.

    ``user`` limits the companies the file may name (``None``: every company, for the operator's
    CLI). ``dry_run`` validates and counts without writing. Never raises for bad content: the
    problems are in ``result.errors`` (the first ``MAX_ERRORS``; ``error_count`` counts all).
    """
    result = ImportResult(dry_run=dry_run)
    text = _text_of(content, fmt, result)
    if text is None:
        return result
    rows = read_rows(text, fmt, result)
    if any(error.line == 0 for error in result.errors):
        return result
    # Rows already refused for their shape stay in ``errors``; the others are still validated so
    # that one pass reports every problem of the file.
    return import_rows(rows, user=user, result=result)


def import_rows(
    rows: list[tuple[int, dict[str, Any]]], *, user: object | None, result: ImportResult
) -> ImportResult:
    """Validate and write already-read ``rows`` (``(line, {column: value})``) — all or nothing."""
    result.rows = len(rows) + len({error.line for error in result.errors})
    try:
        with write_context(user=user, origin=Origin.IMPORT):
            plans = _plans(rows, user, result)
            if not result.ok:
                raise _Rejected
            _apply(plans, user, result)
    except _Rejected:
        pass
    return result


def _text_of(content: bytes | str, fmt: str, result: ImportResult) -> str | None:
    if fmt not in FORMATS:
        result.add_error(0, "", _("formato desconhecido: use csv ou json."))
        return None
    size = len(content.encode() if isinstance(content, str) else content)
    if size > MAX_BYTES:
        result.add_error(0, "", _("arquivo grande demais: o máximo é 10 MB."))
        return None
    if isinstance(content, str):
        return content
    try:
        return decode(content)
    except UnicodeDecodeError:
        result.add_error(0, "", _("não foi possível ler o arquivo: salve-o como UTF-8."))
        return None


def format_of(filename: str, default: str = "csv") -> str:
    """``csv`` or ``json`` from a file name's extension."""
    return "json" if filename.lower().endswith(".json") else default
