"""``spy smtp-explain``, ``spy smtp-test`` and ``spy smtp show``: the SMTP hierarchy from a shell.

The password is never printed: ``smtp show`` says only whether one is stored, and ``smtp-test``
decrypts it just to hand it to the SMTP dialogue.
"""

from __future__ import annotations

import argparse
from typing import Any

from spysystem.cli_format import EMPTY, print_validation_error, yes_no
from spysystem.commands import CommandError, add_command, add_group, find_company

LEVELS = ("general", "finance", "company")
ROUTINES = ("spy", "boleto", "cobranca", "aviso")
SWITCHES = (
    (
        "use_spy_smtp",
        "Utilizar configurações abaixo do servidor SMTP spy system para envio de e-mail",
    ),
    ("cobranca_por_empresa", "Gerar cobrança por empresa"),
    ("aviso_por_empresa", "Envio de e-mail de aviso de vencimento por empresa"),
)


def level_label(level: str | None) -> str:
    """``finance`` → ``Financeiro / Spy System``; no level → ``nenhum``."""
    from spysystem.mail.models import SmtpLevel

    return str(SmtpLevel(level).label) if level else "nenhum"


def server_line(settings: Any) -> str:
    from spysystem.mail.models import SmtpSecurity

    return f"{settings.host}:{settings.port} ({SmtpSecurity(settings.security).label})"


def sender_line(settings: Any) -> str:
    from email.utils import formataddr

    return formataddr((settings.from_name, settings.from_email))


# -- smtp-explain ------------------------------------------------------------------------------


def cmd_smtp_explain(args: argparse.Namespace) -> int:
    from spysystem.mail.models import Routine
    from spysystem.mail.routing import route_for

    company = find_company(args.company) if args.company else None
    route = route_for(routine=args.routine, company_id=company.pk if company else None)
    print(f"Empresa: {company or 'nenhuma'}")
    print(f"Rotina: {Routine(args.routine).label}")
    print(f"Nível: {level_label(route.level)}")
    if route.settings is not None:
        print(f"Servidor: {server_line(route.settings)}")
        print(f"Remetente: {sender_line(route.settings)}")
    print(f"Motivo: {route.reason}")
    return 0


# -- smtp-test ---------------------------------------------------------------------------------


def _stored_settings(args: argparse.Namespace) -> Any:
    """The stored settings of ``--level`` (``--company`` at the company level), or exit 2."""
    from spysystem.mail.models import SmtpSettings

    if (args.level == "company") != bool(args.company):
        raise CommandError("use --company CÓDIGO com --level company, e só com ele.", 2)
    company = find_company(args.company, exit_code=2) if args.company else None
    stored = SmtpSettings.objects.filter(level=args.level, company=company).first()
    if stored is None:
        where = f" para a empresa {company.code}" if company else ""
        raise CommandError(f"nível {level_label(args.level)} não configurado{where}.", 2)
    return stored


def _stored_password(settings: Any) -> str:
    from django.core.exceptions import ImproperlyConfigured

    from spysystem.mail.crypto import decrypt

    try:
        return decrypt(settings.password_encrypted)
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc), 2) from exc


def print_report(report: Any) -> None:
    """Each step (OK/FALHOU, name, the server's reply, the explanation) and the summary."""
    for step in report.steps:
        reply = " ".join(step.reply.split()) or "(sem resposta do servidor)"
        print(f"{'OK' if step.ok else 'FALHOU':<6}  {step.name}: {reply}")
        if step.explanation:
            print(f"{'':<6}  → {step.explanation}")
    print(f"Resumo: {report.summary}")


def cmd_smtp_test(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from spysystem.mail.testsend import SmtpTestRefused, smtp_test_send

    settings = _stored_settings(args)
    password = _stored_password(settings)
    print(f"Testando {level_label(settings.level)}: {server_line(settings)}")
    print(f"Remetente: {sender_line(settings)} · destinatário: {args.to}")
    try:
        report = smtp_test_send(settings=settings, password=password, to=args.to, user=None)
    except ValidationError as exc:
        print_validation_error(exc)
        return 2
    except SmtpTestRefused as exc:
        raise CommandError(str(exc), 1) from exc
    print_report(report)
    return 0 if report.ok else 1


# -- smtp show ---------------------------------------------------------------------------------


def settings_lines(settings: Any, indent: str = "  ") -> list[str]:
    """The fields of one level, the password only as “definida”/“não definida”."""
    limits = (
        f"tempo limite: {settings.timeout} s · conexões simultâneas: {settings.max_connections}"
        f" · mensagens por minuto: {settings.max_per_minute}"
    )
    lines = [
        f"servidor: {server_line(settings)}",
        f"usuário: {settings.username or EMPTY}",
        f"senha: {'definida' if settings.has_password else 'não definida'}",
        f"remetente: {sender_line(settings)}",
        f"responder para: {settings.reply_to or EMPTY}",
        limits,
    ]
    return [indent + line for line in lines]


def _print_global_level(level: str, rows: list[Any]) -> None:
    print(level_label(level))
    found = next((row for row in rows if row.level == level and row.company_id is None), None)
    print("\n".join(settings_lines(found)) if found else "  não configurado")


def _print_company_levels(rows: list[Any]) -> None:
    print(level_label("company"))
    companies = [row for row in rows if row.company_id is not None]
    for row in companies:
        print(f"  {row.company}")
        print("\n".join(settings_lines(row, indent="    ")))
    if not companies:
        print("  nenhuma empresa com servidor próprio")


def cmd_smtp_show(args: argparse.Namespace) -> int:
    from spysystem.mail.models import MailSwitches, SmtpSettings

    rows = list(SmtpSettings.objects.select_related("company").order_by("company__code"))
    _print_global_level("general", rows)
    _print_global_level("finance", rows)
    _print_company_levels(rows)
    switches = MailSwitches.current()
    print("Opções")
    for name, label in SWITCHES:
        print(f"  {label}: {yes_no(getattr(switches, name))}")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    explain = add_command(
        sub, "smtp-explain", cmd_smtp_explain, "qual servidor SMTP uma rotina usaria, e por quê"
    )
    explain.add_argument("--company", metavar="CÓDIGO", help="código da empresa")
    explain.add_argument("--routine", required=True, choices=ROUTINES, help="rotina de e-mail")
    test = add_command(
        sub, "smtp-test", cmd_smtp_test, "envia um e-mail de teste pelo nível SMTP gravado"
    )
    test.epilog = (
        "Mostra cada etapa do diálogo SMTP com a resposta do servidor. Saída 0: o servidor "
        "aceitou a mensagem; 1: o envio falhou; 2: nível não configurado ou dados inválidos."
    )
    test.add_argument("--level", required=True, choices=LEVELS, help="nível SMTP a testar")
    test.add_argument("--company", metavar="CÓDIGO", help="empresa (somente com --level company)")
    test.add_argument("--to", required=True, metavar="ENDEREÇO", help="destinatário do teste")
    smtp = add_group(sub, "smtp", "configurações SMTP")
    add_command(smtp, "show", cmd_smtp_show, "mostra os três níveis SMTP (sem a senha) e as opções")
