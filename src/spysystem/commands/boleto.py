"""``spy boleto compute|parse|pdf|emit|resend`` and ``spy bank-account list|create|update``.

``compute`` and ``parse`` are for integrators and run before Django starts (no database, no
secrets: ``needs_django=False``); the others call the same routines and services as the screens
and the API.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from spysystem.cli_format import EMPTY, print_error, table, truncate, yes_no
from spysystem.commands import CommandError, add_command, add_group, find_company

# The service's field names → the options of ``spy bank-account create|update``.
OPTIONS = {
    "company": "--company",
    "bank_code": "--bank",
    "agency": "--agency",
    "agency_dv": "--agency-dv",
    "account": "--account",
    "account_dv": "--account-dv",
    "wallet": "--wallet",
    "agreement": "--agreement",
    "extras": "--extra",
    "beneficiary_name": "--beneficiary-name",
    "beneficiary_document": "--beneficiary-document",
    "beneficiary_address": "--beneficiary-address",
    "instructions": "--instructions",
    "fine_percent": "--fine-percent",
    "interest_month_percent": "--interest-month-percent",
    "next_our_number": "--next-our-number",
    "is_default": "--default",
}


def _iso_date(text: str) -> date:
    """``argparse`` type: a date ``AAAA-MM-DD``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"data inválida {text!r}: use AAAA-MM-DD.") from None


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# -- compute / parse (no Django) ---------------------------------------------------------------


def cmd_boleto_compute(args: argparse.Namespace) -> int:
    from spysystem.commands.boleto_fields import BoletoInputError, compute_payload

    text = sys.stdin.read()
    if not text.strip():
        raise CommandError("entrada vazia: envie um objeto JSON ou uma lista de objetos.", 2)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"JSON inválido na linha {exc.lineno}, coluna {exc.colno}: {exc.msg}.", 2
        ) from None
    try:
        result = compute_payload(payload)
    except BoletoInputError as exc:
        for problem in exc.problems:
            print_error(str(problem))
        return 2
    _print_json(result)
    return 0


def cmd_boleto_parse(args: argparse.Namespace) -> int:
    from spysystem.boleto import BoletoError
    from spysystem.commands.boleto_fields import parse_line

    try:
        result = parse_line(" ".join(args.line), reference_date=args.reference_date)
    except BoletoError as exc:
        raise CommandError(exc.message, 2) from None
    _print_json(result)
    return 0


# -- titles (database) -------------------------------------------------------------------------


def _titles(ids: list[int]) -> list[Any]:
    """The titles in the order given; any unknown id stops the command before anything runs."""
    from spysystem.finance.selectors import title_list

    found = title_list().in_bulk(ids)
    missing = [str(pk) for pk in dict.fromkeys(ids) if pk not in found]
    if missing:
        raise CommandError(f"título(s) não encontrado(s): {', '.join(missing)}; nada foi feito.")
    return [found[pk] for pk in dict.fromkeys(ids)]


def _label(title: Any) -> str:
    return f"título {title.pk} ({title.document}/{title.installment}, {title.party.name})"


def cmd_boleto_pdf(args: argparse.Namespace) -> int:
    from django.db import transaction

    from spysystem.routines.boletos import RoutineError, boletos_pdf

    titles = _titles(args.title_ids)
    try:
        with transaction.atomic():  # one bad title: no nosso número allocated for the others
            content = boletos_pdf(titles=titles)
    except RoutineError as exc:
        raise CommandError(exc.message) from None
    if args.output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    try:
        with open(args.output, "wb") as handle:
            handle.write(content)
    except OSError as exc:
        raise CommandError(f"não foi possível gravar {args.output}: {exc.strerror}.") from None
    print(f"PDF com {len(titles)} boleto(s) gravado em {args.output}.")
    return 0


def _run_routine(args: argparse.Namespace, routine: Any) -> int:
    titles = _titles(args.title_ids)
    result = routine(titles=titles)
    errors = dict(result.errors)
    for title in titles:
        if title.pk in errors:
            print(f"{_label(title)}: erro: {errors[title.pk]}")
        else:
            print(f"{_label(title)}: OK")
    print(f"{result.queued} e-mail(s) na fila.")
    return 1 if errors else 0


def cmd_boleto_emit(args: argparse.Namespace) -> int:
    from spysystem.routines.boletos import boletos_emit

    return _run_routine(args, boletos_emit)


def cmd_boleto_resend(args: argparse.Namespace) -> int:
    from spysystem.routines.boletos import boletos_resend

    return _run_routine(args, boletos_resend)


# -- bank accounts -----------------------------------------------------------------------------


def cmd_bank_account_list(args: argparse.Namespace) -> int:
    from django.db.models import Count

    from spysystem.finance.models import BankAccount

    accounts = BankAccount.objects.select_related("company").annotate(issued=Count("boletos"))
    if args.company:
        accounts = accounts.filter(company=find_company(args.company))
    rows = [
        [
            account.pk,
            account.company.code,
            account.bank_code,
            _with_dv(account.agency, account.agency_dv),
            _with_dv(account.account, account.account_dv),
            account.wallet or EMPTY,
            account.agreement or EMPTY,
            " ".join(f"{k}={v}" for k, v in sorted((account.extras or {}).items())) or EMPTY,
            truncate(account.beneficiary_name, 30),
            yes_no(account.is_default),
            account.next_our_number,
            account.issued,
        ]
        for account in accounts
    ]
    if not rows:
        print("Nenhuma conta bancária.")
        return 0
    headers = (
        "id",
        "empresa",
        "banco",
        "agência",
        "conta",
        "carteira",
        "convênio",
        "campos do banco",
        "beneficiário",
        "padrão",
        "próximo nosso número",
        "boletos",
    )
    print(table(headers, rows))
    return 0


def _with_dv(number: str, dv: str) -> str:
    if not number:
        return EMPTY
    return f"{number}-{dv}" if dv else number


def _extras(pairs: list[str] | None) -> dict[str, str] | None:
    if pairs is None:
        return None
    extras: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--extra {pair!r}: use CAMPO=VALOR (ex.: --extra posto=05).", 2)
        extras[key.strip()] = value.strip()
    return extras


def _account_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = {
        name: getattr(args, name)
        for name in OPTIONS
        if name not in ("company", "extras") and getattr(args, name, None) is not None
    }
    if args.company is not None:
        fields["company"] = find_company(args.company, exit_code=1)
    extras = _extras(args.extra)
    if extras is not None:
        fields["extras"] = extras
    return fields


def _print_account_errors(exc: Any) -> None:
    messages = getattr(exc, "message_dict", None) or {"": exc.messages}
    for field, errors in messages.items():
        option = OPTIONS.get(field, "")
        for error in errors:
            print_error(f"{option + ': ' if option else ''}{error}")


def _saved(account: Any, verb: str) -> int:
    default = " (padrão da empresa)" if account.is_default else ""
    print(
        f"Conta bancária {account.pk} {verb}: banco {account.bank_code}, agência "
        f"{account.agency}, conta {account.account or EMPTY}{default}."
    )
    return 0


def cmd_bank_account_create(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from spysystem.finance.services import bank_account_create

    try:
        account = bank_account_create(**_account_fields(args))
    except ValidationError as exc:
        _print_account_errors(exc)
        return 1
    return _saved(account, "criada")


def cmd_bank_account_update(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from spysystem.finance.models import BankAccount
    from spysystem.finance.services import bank_account_update

    fields = _account_fields(args)
    if not fields:
        raise CommandError("nada a alterar: informe ao menos uma opção.", 2)
    try:
        with transaction.atomic():
            account = BankAccount.objects.select_for_update().filter(pk=args.id).first()
            if account is None:
                raise CommandError(f"conta bancária {args.id} não encontrada.")
            account = bank_account_update(bank_account=account, **fields)
    except ValidationError as exc:
        _print_account_errors(exc)
        return 1
    return _saved(account, "alterada")


# -- parsers -----------------------------------------------------------------------------------


def _documented(
    group: argparse._SubParsersAction, name: str, handler: Any, help_: str, epilog: str
) -> argparse.ArgumentParser:
    parser = group.add_parser(
        name,
        help=help_,
        description=help_,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


ROUTINE_EPILOG = """Imprime, por título, "OK" ou o erro em português, e o número de e-mails
colocados na fila (rotina boleto, pela hierarquia SMTP). Um título com problema (sem conta
bancária, cliente sem e-mail, não está em aberto, não é a receber) não impede os outros, e nada
é reservado para ele. Código de saída: 0 tudo certo; 1 algum título com erro, ou um id
inexistente (nesse caso nada é feito)."""


def _boleto_parsers(sub: argparse._SubParsersAction) -> None:
    from spysystem.commands.boleto_fields import compute_help, parse_help

    boleto = add_group(sub, "boleto", "boletos: cálculo, validação, PDF e envio por e-mail")
    compute = _documented(
        boleto,
        "compute",
        cmd_boleto_compute,
        "calcula código de barras, linha digitável e nosso número a partir de JSON no stdin",
        compute_help(),
    )
    compute.set_defaults(needs_django=False)
    parse = _documented(
        boleto,
        "parse",
        cmd_boleto_parse,
        "valida e decodifica uma linha digitável ou um código de barras",
        parse_help(),
    )
    parse.add_argument(
        "line", nargs="+", metavar="LINHA", help="linha digitável ou código de barras"
    )
    parse.add_argument(
        "--reference-date",
        type=_iso_date,
        metavar="AAAA-MM-DD",
        help="data de referência para decodificar o fator de vencimento (padrão: hoje)",
    )
    parse.set_defaults(needs_django=False)
    pdf = _documented(
        boleto,
        "pdf",
        cmd_boleto_pdf,
        "grava o PDF do boleto do título (vários títulos: um PDF, uma página cada)",
        "Emite o boleto quando ainda não existe (reserva o próximo nosso número da conta padrão\n"
        "da empresa). Um título com problema: código 1, a mensagem no stderr e nenhum número\n"
        "reservado. Use -o - para escrever o PDF no stdout.",
    )
    pdf.add_argument("title_ids", nargs="+", type=int, metavar="TÍTULO", help="id do título")
    pdf.add_argument("-o", "--output", required=True, metavar="ARQUIVO", help="arquivo do PDF")
    for name, handler, help_ in (
        ("emit", cmd_boleto_emit, "“Emitir boletos”: emite e envia por e-mail, PDF anexo"),
        (
            "resend",
            cmd_boleto_resend,
            "“Reenvio de boletos/notas”: reenvia o boleto e os documentos do título",
        ),
    ):
        routine = _documented(boleto, name, handler, help_, ROUTINE_EPILOG)
        routine.add_argument(
            "title_ids", nargs="+", type=int, metavar="TÍTULO", help="id do título"
        )


def _account_arguments(parser: argparse.ArgumentParser, *, create: bool) -> None:
    parser.add_argument("--company", required=create, metavar="CÓDIGO", help="código da empresa")
    parser.add_argument(
        "--bank",
        dest="bank_code",
        required=create,
        metavar="BANCO",
        help="código FEBRABAN: 001, 033, 077, 104, 237, 341, 748 ou 756",
    )
    parser.add_argument("--agency", required=create, metavar="AGÊNCIA", help="agência")
    parser.add_argument("--agency-dv", metavar="DV", help="dígito da agência (impressão)")
    parser.add_argument("--account", metavar="CONTA", help="conta")
    parser.add_argument("--account-dv", metavar="DV", help="dígito da conta (impressão)")
    parser.add_argument("--wallet", metavar="CARTEIRA", help="carteira")
    parser.add_argument(
        "--agreement", metavar="CONVÊNIO", help="convênio / código do beneficiário ou do cliente"
    )
    parser.add_argument(
        "--extra",
        action="append",
        metavar="CAMPO=VALOR",
        help="campo próprio do banco (posto, year, seu_numero, modalidade...); repetível"
        + ("" if create else "; substitui todos os campos do banco"),
    )
    parser.add_argument("--beneficiary-name", required=create, metavar="NOME")
    parser.add_argument("--beneficiary-document", required=create, metavar="CPF/CNPJ")
    parser.add_argument("--beneficiary-address", metavar="ENDEREÇO")
    parser.add_argument("--instructions", metavar="TEXTO", help="instruções impressas no boleto")
    parser.add_argument("--fine-percent", metavar="PCT", help="multa após o vencimento, em %%")
    parser.add_argument("--interest-month-percent", metavar="PCT", help="juros ao mês, em %%")
    parser.add_argument(
        "--next-our-number", type=int, metavar="N", help="próximo nosso número (padrão 1)"
    )
    parser.add_argument(
        "--default",
        dest="is_default",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="conta padrão da empresa (a anterior deixa de ser); na criação, padrão: sim se a "
        "empresa ainda não tem conta padrão",
    )


ACCOUNT_EPILOG = """Validação antes de gravar: banco suportado, empresa existente, CPF/CNPJ do
beneficiário, campos do banco (--extra) e um cálculo de teste (o próximo nosso número,
vencimento em 30 dias), que recusa agência, conta, carteira ou convênio fora do layout do banco.
Os campos de cada banco estão em `spy boleto compute --help` e em docs/boleto.md.
Erro: código 1 e, por opção, a mensagem em português; nada é gravado."""


def _bank_account_parsers(sub: argparse._SubParsersAction) -> None:
    group = add_group(sub, "bank-account", "contas bancárias das empresas para boletos")
    listing = add_command(group, "list", cmd_bank_account_list, "lista as contas bancárias")
    listing.add_argument("--company", metavar="CÓDIGO", help="só as desta empresa")
    create = _documented(
        group, "create", cmd_bank_account_create, "cadastra uma conta bancária", ACCOUNT_EPILOG
    )
    _account_arguments(create, create=True)
    update = _documented(
        group,
        "update",
        cmd_bank_account_update,
        "altera uma conta bancária (só as opções informadas)",
        ACCOUNT_EPILOG
        + "\nCom boletos emitidos, banco, agência, conta, carteira, convênio e campos do banco"
        "\nnão mudam (cadastre outra conta).",
    )
    update.add_argument("id", type=int, help="id da conta bancária")
    _account_arguments(update, create=False)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    _boleto_parsers(sub)
    _bank_account_parsers(sub)
