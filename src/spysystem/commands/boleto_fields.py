"""The boleto JSON of the integrators: accepted keys per bank, checking, and errors by field.

Shared by ``spy boleto compute|parse`` and by ``POST /api/v1/boleto/compute|parse``, and by the
bank-account services (to name the field a trial compute refused). Pure Python: no Django, so
the two commands run without a database or secrets.

One object is ``{"bank", "agency", "account", "wallet", "agreement", "our_number", "due_date",
"amount", ...}``; the core (``spysystem.boleto.compute_from_mapping``) takes the six account keys
and the bank-specific extras (``posto``, ``seu_numero``...) as they are. Here we add what an
integrator needs around it: a key the bank does not know is refused (a typo would otherwise be
silently ignored), values must be text or integers, and every error names its JSON key.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from spysystem.boleto import BANKS, BoletoError, bank_for, compute_from_mapping, parse

BOLETO_KEYS = ("bank", "our_number", "due_date", "amount", "reference_date")
ACCOUNT_KEYS = ("agency", "agency_dv", "account", "account_dv", "wallet", "agreement")

COMMON_FIELDS: tuple[tuple[str, str], ...] = (
    ("bank", "código FEBRABAN do banco: " + ", ".join(sorted(BANKS))),
    ("our_number", "nosso número SEM o dígito verificador (a sequência da empresa), só dígitos"),
    ("due_date", "vencimento, AAAA-MM-DD"),
    ("amount", 'valor como texto decimal com ponto: "1234.56" (0 a 99999999.99)'),
    (
        "reference_date",
        "opcional: dia de emissão, AAAA-MM-DD (padrão: hoje); o vencimento deve estar na janela "
        "FEBRABAN em volta dele (3000 dias antes a 5500 depois)",
    ),
    ("agency_dv", "opcional: dígito da agência, só para impressão"),
    ("account_dv", "opcional: dígito da conta, só para impressão"),
)

# Per bank: the keys it reads, with what they mean. Account keys not listed are accepted and
# ignored; keys outside BOLETO_KEYS + ACCOUNT_KEYS are the bank's extras (refused elsewhere).
BANK_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "001": (
        ("agreement", "convênio de 4, 6, 7 ou 8 dígitos (obrigatório)"),
        ("wallet", "carteira, 2 dígitos (17, 18...; 16 ou 18 para nosso número de 17)"),
        ("agency", "agência, até 4 dígitos (obrigatória com convênio de 4 ou 6 dígitos)"),
        ("account", "conta, até 8 dígitos (obrigatória com convênio de 4 ou 6 dígitos)"),
        (
            "our_number",
            "até 7 dígitos (convênio de 4), 5 ou 17 (convênio de 6), 10 (convênio de 7), "
            "9 (convênio de 8)",
        ),
        (
            "nosso_numero_length",
            'opcional, convênio de 6 dígitos: "5" ou "17" (padrão: 5 se our_number tiver até 5 '
            "dígitos, senão 17)",
        ),
    ),
    "033": (
        ("agreement", "código do beneficiário, até 7 dígitos (obrigatório)"),
        ("wallet", "carteira 101 (padrão), 102, 104 ou 201"),
        ("agency", "agência, 4 dígitos (só para impressão)"),
        ("our_number", "até 12 dígitos"),
        ("iof", 'opcional: IOF, 1 dígito (padrão "0"; outro só para seguradoras)'),
    ),
    "077": (
        ("agreement", "código do beneficiário (conta/operação), até 7 dígitos (obrigatório)"),
        ("wallet", "carteira 110 ou 112 (padrão)"),
        ("agency", 'agência (padrão "0001")'),
        ("our_number", "até 10 dígitos"),
    ),
    "104": (
        ("agreement", "código do beneficiário SIGCB, até 6 dígitos (obrigatório)"),
        ("wallet", 'modalidade: "1" registrada (padrão) ou "2" sem registro'),
        ("agency", "agência, 4 dígitos (só para impressão)"),
        ("our_number", "até 15 dígitos"),
        ("emissao", 'opcional: emissão, só "4" (beneficiário), o padrão'),
    ),
    "237": (
        ("agency", "agência, até 4 dígitos (obrigatória)"),
        ("account", "conta, até 7 dígitos (obrigatória)"),
        ("wallet", "carteira, 2 dígitos: 09, 06, 19, 26... (obrigatória)"),
        ("our_number", "até 11 dígitos"),
    ),
    "341": (
        ("agency", "agência, até 4 dígitos (obrigatória)"),
        ("account", "conta, até 5 dígitos (obrigatória)"),
        ("wallet", "carteira, 3 dígitos: 109, 112, 175... (obrigatória)"),
        ("our_number", "até 8 dígitos"),
        (
            "agreement",
            "código do cliente, até 5 dígitos: só nas carteiras 106, 107, 122, 142, 143, 195, 196 "
            "e 198",
        ),
        ("seu_numero", "seu número, até 7 dígitos: obrigatório nessas mesmas carteiras"),
    ),
    "748": (
        ("agency", "cooperativa, até 4 dígitos (obrigatória)"),
        ("posto", "posto, até 2 dígitos (obrigatório)"),
        ("agreement", "código do beneficiário, até 5 dígitos (obrigatório)"),
        ("wallet", 'carteira, só "1" (simples), o padrão'),
        (
            "our_number",
            "8 dígitos (ano + byte + sequência de 5) ou só a sequência, até 5 dígitos, com year",
        ),
        ("year", "ano do nosso número, 2 dígitos: obrigatório se our_number for só a sequência"),
        ("byte", 'byte de geração, de "2" (padrão) a "9"'),
        ("tipo_cobranca", 'opcional: "1" com registro (padrão) ou "3" sem registro'),
    ),
    "756": (
        ("agency", "cooperativa, até 4 dígitos (obrigatória)"),
        ("agreement", "código do cliente, até 7 dígitos (obrigatório)"),
        ("wallet", 'carteira, 1 dígito (padrão "1")'),
        ("our_number", "até 7 dígitos"),
        ("modalidade", 'opcional: modalidade, 2 dígitos (padrão "01")'),
        ("parcela", 'opcional: parcela, 3 dígitos (padrão "001")'),
    ),
}

OUTPUT_FIELDS: tuple[tuple[str, str], ...] = (
    ("barcode", "código de barras, 44 dígitos"),
    ("digitable_line", "linha digitável como impressa (pontos e espaços)"),
    ("our_number", "nosso número como impresso, com o dígito verificador"),
    ("due_factor", "fator de vencimento, 4 dígitos (recomeça em 1000 em 22/02/2025)"),
    ("free_field", "campo livre do banco, 25 dígitos"),
    ("bank, due_date, amount", "o banco, o vencimento (AAAA-MM-DD) e o valor, como conferência"),
)

PARSE_FIELDS: tuple[tuple[str, str], ...] = (
    ("bank", "código do banco (3 dígitos)"),
    ("bank_name", "nome do banco"),
    ("amount", 'valor, texto decimal ("0.00": valor a preencher pelo pagador)'),
    ("due_date", "vencimento AAAA-MM-DD (null: contra-apresentação, fator 0000)"),
    ("due_factor", "fator de vencimento, 4 dígitos"),
    ("barcode", "código de barras, 44 dígitos"),
    ("digitable_line", "linha digitável formatada"),
    ("free_field", "campo livre, 25 dígitos"),
    ("currency", '"9" (Real)'),
)


def bank_extra_keys(code: str) -> tuple[str, ...]:
    """The keys of bank ``code`` that are neither common nor account keys (its extras)."""
    return tuple(key for key, _text in BANK_FIELDS[code] if key not in BOLETO_KEYS + ACCOUNT_KEYS)


EXTRA_KEYS = frozenset(key for code in BANK_FIELDS for key in bank_extra_keys(code))


def _rows(fields: tuple[tuple[str, str], ...], indent: int, width: int) -> list[str]:
    """``key  text`` rows, the text wrapped at 96 columns under itself."""
    lines: list[str] = []
    for key, text in fields:
        lines += textwrap.wrap(
            text,
            96,
            initial_indent=f"{' ' * indent}{key.ljust(width)}  ",
            subsequent_indent=" " * (indent + width + 2),
            break_on_hyphens=False,
        )
    return lines


def compute_help() -> str:
    """The ``--help`` epilog of ``spy boleto compute`` (the same content as docs/boleto.md)."""
    lines = [
        "Entrada (stdin): UM objeto JSON ou uma lista de objetos; a saída tem a mesma forma.",
        "",
        "Campos de todos os bancos:",
        *_rows(COMMON_FIELDS, 2, 15),
        "",
        "Campos por banco (os campos de conta não listados são aceitos e ignorados; um campo",
        "que o banco não conhece é recusado):",
    ]
    for code, fields in BANK_FIELDS.items():
        lines += ["", f"  {code} {BANKS[code].name}", *_rows(fields, 4, 19)]
    lines += [
        "",
        "Saída (JSON):",
        *_rows(OUTPUT_FIELDS, 2, 22),
        "",
        "Erro: código de saída 2, nada no stdout e, no stderr, uma linha por problema:",
        '"erro: CAMPO: mensagem" ou, numa lista, "erro: item N: CAMPO: mensagem" (N a partir',
        "de 0).",
        "",
        "Exemplo:",
        """  echo '{"bank": "341", "agency": "1248", "account": "02124", "wallet": "109",""",
        """    "our_number": "10152", "due_date": "2029-05-20", "amount": "6757.87"}' \\""",
        "    | spy boleto compute",
        "",
        "Não usa banco de dados nem as chaves SPY_* (roda antes do Django).",
    ]
    return "\n".join(lines)


def parse_help() -> str:
    """The ``--help`` epilog of ``spy boleto parse``."""
    return "\n".join(
        [
            "Aceita a linha digitável (47 dígitos) ou o código de barras (44), com ou sem pontos",
            "e espaços (entre aspas ou em vários argumentos).",
            "",
            "Saída (JSON):",
            *_rows(PARSE_FIELDS, 2, 14),
            "",
            "O fator de vencimento recomeçou em 1000 em 22/02/2025: um fator vale uma data a cada",
            "9000 dias, e a data é escolhida na janela FEBRABAN em volta de --reference-date",
            "(padrão: hoje), de 3000 dias antes a 5500 depois.",
            "",
            "Erro (dígito verificador, caracteres, tamanho, banco não suportado, fora da janela):",
            "código de saída 2 e a mensagem em português no stderr.",
            "",
            "Exemplo: spy boleto parse 34191.09008 01015.271248 80212.460002 4 25480000675787",
        ]
    )


# -- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One bad input: the list index (None for a single object), the JSON key and the message."""

    index: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [f"item {self.index}"] if self.index is not None else []
        parts += [self.field] if self.field else []
        return ": ".join([*parts, self.message])


class BoletoInputError(Exception):
    """Every problem found in a compute request (for a list, one per bad item)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


_LABELS = {  # the ``what`` of the bank modules' messages → the JSON key
    "Ano do nosso número (year)": "year",
    "Código do beneficiário": "agreement",
    "Código do cliente": "agreement",
    "Convênio": "agreement",
    "Cooperativa": "agency",
    "Agência": "agency",
    "Conta": "account",
    "Carteira": "wallet",
    "Nosso número": "our_number",
    "Seu número": "seu_numero",
    "Modalidade": "modalidade",
    "Parcela": "parcela",
    "Emissão": "emissao",
    "Posto": "posto",
    "Tipo": "tipo_cobranca",
    "IOF": "iof",
}
_CODES = {
    "unknown_bank": "bank",
    "bank_code": "bank",
    "amount_invalid": "amount",
    "amount_negative": "amount",
    "amount_precision": "amount",
    "amount_too_large": "amount",
    "due_date_out_of_window": "due_date",
    "agreement_length": "agreement",
}
_NAMED_KEY = re.compile(r"^(?:Campo obrigatório ausente:|Data inválida em) (\w+)")


def error_field(exc: BoletoError, data: Mapping[str, Any] | None = None) -> str | None:
    """The JSON key a ``BoletoError`` of the core is about (None when it names none)."""
    if exc.code in _CODES:
        return _CODES[exc.code]
    named = _NAMED_KEY.match(exc.message)
    if named:
        return named.group(1)
    if "nosso_numero_length" in exc.message:
        return "nosso_numero_length"
    if "byte de geração" in exc.message:
        number = str((data or {}).get("our_number") or "").strip()
        return "our_number" if len(number) == 8 else "byte"
    for label in sorted(_LABELS, key=len, reverse=True):
        if exc.message.startswith(label + " "):
            return _LABELS[label]
    return None


class _KeyError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _check_keys(item: Mapping[str, Any]) -> None:
    """Refuse values that are not text/integers and keys the item's bank does not know."""
    for key, value in item.items():
        if value is None or isinstance(value, str):
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            continue
        if key == "amount" and isinstance(value, float):
            continue  # the core explains that the amount goes as text
        raise _KeyError(key, f"informe um texto (ou número inteiro), não {_json_type(value)}.")
    code = str(item.get("bank") or "").strip()
    if not code:
        raise _KeyError("bank", "Campo obrigatório ausente: bank.")
    bank = bank_for(code)
    extras = bank_extra_keys(bank.code)
    unknown = sorted(set(item) - set(BOLETO_KEYS) - set(ACCOUNT_KEYS) - set(extras))
    if unknown:
        accepted = ", ".join(extras) if extras else "nenhum"
        raise _KeyError(
            unknown[0],
            f"Campo desconhecido para o {bank.name}: {', '.join(unknown)}. "
            f"Campos próprios do banco: {accepted}.",
        )


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "verdadeiro/falso"
    if isinstance(value, float):
        return "número com casas decimais"
    if isinstance(value, dict):
        return "um objeto"
    if isinstance(value, list):
        return "uma lista"
    return type(value).__name__


def compute_one(item: Any, index: int | None = None) -> dict[str, Any]:
    """The output object for one input object; ``BoletoInputError`` with the key at fault."""
    if not isinstance(item, Mapping):
        message = "Esperado um objeto JSON com os dados do boleto."
        raise BoletoInputError([Problem(index, None, message)])
    try:
        _check_keys(item)
        return compute_from_mapping(item).as_dict()
    except _KeyError as exc:
        raise BoletoInputError([Problem(index, exc.field, exc.message)]) from exc
    except BoletoError as exc:
        problem = Problem(index, error_field(exc, item), exc.message)
        raise BoletoInputError([problem]) from exc


def compute_payload(payload: Any) -> dict[str, Any] | list[dict[str, Any]]:
    """``compute_one`` for an object, or for each item of a list (all problems reported)."""
    if not isinstance(payload, list):
        return compute_one(payload)
    if not payload:
        raise BoletoInputError([Problem(None, None, "A lista está vazia.")])
    results, problems = [], []
    for index, item in enumerate(payload):
        try:
            results.append(compute_one(item, index))
        except BoletoInputError as exc:
            problems += exc.problems
    if problems:
        raise BoletoInputError(problems)
    return results


def parse_line(text: str, *, reference_date: date | None = None) -> dict[str, Any]:
    """Validate and decode a line or barcode of a supported bank (``BoletoError`` otherwise)."""
    barcode = parse(text, reference_date=reference_date)
    bank = bank_for(barcode.bank_code)
    decoded = barcode.as_dict()
    keys = ("amount", "due_date", "due_factor", "barcode", "digitable_line", "free_field")
    return {
        "bank": bank.code,
        "bank_name": bank.name,
        **{key: decoded[key] for key in keys},
        "currency": decoded["currency"],
    }
