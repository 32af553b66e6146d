"""``spy import titles FILE``: create or update titles from a CSV or JSON file, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spysystem.commands import CommandError, add_command, add_group

COLUMNS_HELP = (
    "colunas: empresa (código), carteira (pagar|receber), pessoa (CPF/CNPJ), documento, "
    "parcela (padrão 1), emissao (padrão hoje), vencimento, valor (1.234,56), situacao "
    "(aberto|pago|cancelado), descricao. CSV separado por ';' ou ',', primeira linha = cabeçalho; "
    'JSON: lista de objetos com essas chaves ou {"titulos": [...]}.'
)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"não foi possível ler {path}: {exc.strerror}.", 2) from exc


def _find_user(username: str | None) -> object | None:
    from django.contrib.auth.models import User

    if username is None:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"usuário {username!r} não existe ou está inativo.", 2)
    return user


def cmd_import_titles(args: argparse.Namespace) -> int:
    from spysystem.finance.imports import format_of, titles_import
    from spysystem.finance.selectors import access_for

    user = _find_user(args.user)
    if user is not None and not access_for(user).can_write:
        raise CommandError(f"o usuário {args.user} não pode alterar títulos.")
    fmt = args.format or format_of(args.file)
    result = titles_import(content=_read(args.file), fmt=fmt, user=user, dry_run=args.dry_run)
    for error in result.errors:
        print(f"erro: {error}", file=sys.stderr)
    if result.error_count > len(result.errors):
        hidden = result.error_count - len(result.errors)
        print(f"erro: … e mais {hidden} problema(s).", file=sys.stderr)
    print(result.summary(), file=sys.stdout if result.ok else sys.stderr)
    if result.ok and args.dry_run:
        print("Nada foi gravado (--dry-run).")
    return 0 if result.ok else 2


def add_parsers(sub: argparse._SubParsersAction) -> None:
    group = add_group(sub, "import", "importa títulos de arquivos CSV ou JSON")
    titles = add_command(
        group, "titles", cmd_import_titles, "cria ou altera títulos a partir de um arquivo"
    )
    titles.description = (
        "Cria ou altera títulos a partir de um arquivo CSV ou JSON, tudo ou nada: uma linha com "
        "problema e nada é gravado. Um título já cadastrado (mesma empresa, carteira, pessoa, "
        "documento e parcela) é alterado; a mudança de valor ou vencimento é registrada pelo Spy "
        "com origem 'importação'. " + COLUMNS_HELP
    )
    titles.add_argument("file", help="caminho do arquivo (- lê da entrada padrão)")
    titles.add_argument(
        "--format", choices=("csv", "json"), help="formato (padrão: pela extensão; senão csv)"
    )
    titles.add_argument("--dry-run", action="store_true", help="só valida e conta; não grava nada")
    titles.add_argument(
        "--user",
        metavar="USUÁRIO",
        help="autor registrado das alterações; limita às empresas que ele vê (padrão: sistema)",
    )
