"""The ``spy`` command. Arguments are parsed before Django starts, so ``--help`` needs nothing.

Every sub-command calls the same services as the screens and the API. The start-up commands live
here; the others in ``spysystem.commands`` (one module per subject), sharing ``cli_format``.
"""

from __future__ import annotations

import argparse
import os
import sys

from spysystem.cli_format import print_error, print_validation_error
from spysystem.commands import CommandError, Handler, add_command, find_company
from spysystem.commands import audit as audit_commands
from spysystem.commands import boleto as boleto_commands
from spysystem.commands import changes as changes_commands
from spysystem.commands import imports as import_commands
from spysystem.commands import outbox as outbox_commands
from spysystem.commands import recipients as recipients_commands
from spysystem.commands import smtp as smtp_commands
from spysystem.commands import tasks as task_commands


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spysystem.settings")
    import django

    django.setup()


def _check_or_exit() -> None:
    """Run the system checks; print the Portuguese errors and exit 2 instead of a traceback."""
    from django.core import checks

    _exit_on([e for e in checks.run_checks() if e.is_serious()])


def _exit_on(problems: list) -> None:
    for problem in problems:
        hint = f"\n  {problem.hint}" if problem.hint else ""
        print(f"erro [{problem.id}]: {problem.msg}{hint}", file=sys.stderr)
    if problems:
        raise SystemExit(2)


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    _check_or_exit()
    from spysystem.web.server import serve_web

    banner = f"Spy System em http://{args.host}:{args.port}/"
    return serve_web(host=args.host, port=args.port, threads=args.threads, banner=banner)


def cmd_worker(args: argparse.Namespace) -> int:
    _check_or_exit()
    import threading

    from spysystem.worker import install_signal_handlers, run_worker

    stop = threading.Event()
    install_signal_handlers(stop)
    run_worker(once=args.once, stop=stop)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from spysystem.demo import run_demo

    return run_demo(host=args.host, port=args.port, smtp_port=args.smtp_port)


def cmd_user_create(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from spysystem.finance.services import user_create

    role = "admin" if args.admin else args.role
    if role == "admin" and args.company:
        raise CommandError("um administrador vê todas as empresas: não use --company.", 2)
    company_ids = [find_company(code, exit_code=2).pk for code in args.company]
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    try:
        user = user_create(
            username=args.username,
            email=args.email or "",
            password=password,
            role=role,
            company_ids=company_ids,
        )
    except ValidationError as exc:
        print_validation_error(exc)
        return 1
    scope = ", ".join(args.company) if args.company else "todas as empresas"
    print(f"Usuário {user.username} criado (id {user.pk}), papel {role}, {scope}.")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from django.contrib.auth.models import User

    from spysystem.api.services import token_create

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        raise CommandError(f"usuário {args.username!r} não existe ou está inativo.")
    print("Token criado. Guarde-o agora: ele não será mostrado de novo.")
    print(token_create(user=user))
    return 0


def cmd_keys_generate(args: argparse.Namespace) -> int:
    from spysystem.mail.crypto import generate_key

    print(generate_key())
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from spysystem.mail.services import smtp_passwords_rotate

    count = smtp_passwords_rotate()
    print(f"{count} senha(s) SMTP recifrada(s) com a chave mais nova.")
    return 0


def _add(
    sub: argparse._SubParsersAction, name: str, handler: Handler, help_: str
) -> argparse.ArgumentParser:
    return add_command(sub, name, handler, help_)


def _user_parsers(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="usuários", description="Gerencia usuários.")
    user_sub = user.add_subparsers(dest="action", required=True)
    create = _add(user_sub, "create", cmd_user_create, "cria um usuário")
    create.add_argument("--username", required=True)
    create.add_argument("--email", default="")
    create.add_argument(
        "--admin", action="store_true", help="administrador (o mesmo que --role admin)"
    )
    create.add_argument(
        "--role",
        choices=("admin", "finance", "readonly"),
        default="finance",
        help="papel: admin (tudo), finance (títulos e rotinas, sem configurações; padrão) ou "
        "readonly (somente consulta)",
    )
    create.add_argument(
        "--company",
        action="append",
        default=[],
        metavar="CÓDIGO",
        help="empresa que o usuário vê (repita para várias; sem --company: todas)",
    )
    create.add_argument(
        "--password-stdin", action="store_true", help="lê a senha da primeira linha da entrada"
    )
    token = sub.add_parser("token", help="tokens da API", description="Tokens da API REST.")
    token_sub = token.add_subparsers(dest="action", required=True)
    _add(token_sub, "create", cmd_token_create, "cria um token (última linha)").add_argument(
        "username"
    )
    keys = sub.add_parser("keys", help="chaves de cifragem", description="Chaves Fernet.")
    keys_sub = keys.add_subparsers(dest="action", required=True)
    _add(keys_sub, "generate", cmd_keys_generate, "gera uma nova chave para SPY_ENCRYPTION_KEYS")
    _add(keys_sub, "rotate", cmd_keys_rotate, "recifra as senhas SMTP com a primeira chave")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spy",
        description="Spy System: vigia títulos a pagar/receber e envia o e-mail financeiro.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add(sub, "migrate", cmd_migrate, "cria/atualiza as tabelas do banco").add_argument(
        "--verbosity", type=int, default=1
    )
    demo = _add(sub, "demo", cmd_demo, "roda tudo com dados de demonstração e SMTP de captura")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--smtp-port", type=int, default=1025)
    web = _add(sub, "web", cmd_web, "servidor web (waitress)")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--threads", type=int, default=8)
    worker = _add(sub, "worker", cmd_worker, "processa alterações e envia e-mails")
    worker.add_argument("--once", action="store_true", help="processa o que está pendente e sai")
    _user_parsers(sub)
    for commands in (
        smtp_commands,
        outbox_commands,
        changes_commands,
        recipients_commands,
        boleto_commands,
        task_commands,
        audit_commands,
        import_commands,
    ):
        commands.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``spy`` console script.

    Commands that set ``needs_django=False`` (``spy boleto compute|parse``) run right away:
    no secrets check, no Django, no database.
    """
    args = build_parser().parse_args(argv)
    if not getattr(args, "needs_django", True):
        return _run(args)
    if args.command == "demo":
        from spysystem.demo import prepare_demo_environment

        prepare_demo_environment()
        os.environ.setdefault("SPY_BASE_URL", f"http://{args.host}:{args.port}")
    elif args.handler is not cmd_keys_generate:
        from spysystem.preflight import secret_problems

        _exit_on(secret_problems())
    _django_setup()
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.handler(args)
    except CommandError as exc:
        print_error(str(exc))
        return exc.code
    except BrokenPipeError:  # ``spy boleto parse ... | head``: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
