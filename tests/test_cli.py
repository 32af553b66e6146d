"""The ``spy`` command: help everywhere, users, tokens, keys and start-up checks."""

import io
import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User

from spysystem.api.models import ApiToken
from spysystem.api.services import token_digest
from spysystem.cli import build_parser, main

COMMANDS = [
    [],
    ["migrate"],
    ["demo"],
    ["web"],
    ["worker"],
    ["user"],
    ["user", "create"],
    ["token"],
    ["token", "create"],
    ["keys", "generate"],
    ["keys", "rotate"],
    ["smtp-explain"],
    ["smtp-test"],
    ["smtp"],
    ["smtp", "show"],
    ["outbox"],
    ["outbox", "list"],
    ["outbox", "retry"],
    ["outbox", "cancel"],
    ["changes"],
    ["changes", "list"],
    ["recipients"],
    ["recipients", "show"],
    ["boleto"],
    ["boleto", "compute"],
    ["boleto", "parse"],
    ["boleto", "pdf"],
    ["boleto", "emit"],
    ["boleto", "resend"],
    ["bank-account"],
    ["bank-account", "list"],
    ["bank-account", "create"],
    ["bank-account", "update"],
    ["task"],
    ["task", "list"],
    ["task", "run"],
    ["task", "runs"],
    ["audit"],
    ["audit", "list"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "spy")
def test_every_command_has_help_in_portuguese(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: spy" in capsys.readouterr().out


def test_user_create_reads_the_password_from_stdin(db, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3nha-forte-123\n"))
    code = main(
        [
            "user",
            "create",
            "--username",
            "joana",
            "--email",
            "joana@empresa.com.br",
            "--admin",
            "--password-stdin",
        ]
    )
    assert code == 0
    user = User.objects.get(username="joana")
    assert user.check_password("s3nha-forte-123") and user.is_staff
    assert "s3nha" not in capsys.readouterr().out


def test_user_create_with_a_bad_email_explains_in_portuguese_and_creates_nothing(db, capsys):
    assert main(["user", "create", "--username", "x", "--email", "não é e-mail"]) == 1
    assert "E-mail inválido" in capsys.readouterr().err
    assert not User.objects.filter(username="x").exists()


def test_user_create_with_role_and_companies(db, make_company, capsys):
    from spysystem.finance.selectors import access_for

    a, b = make_company("RA"), make_company("RB")
    argv = ["user", "create", "--username", "leitor", "--role", "readonly"]
    assert main([*argv, "--company", "RA", "--company", "RB"]) == 0
    assert "papel readonly, RA, RB" in capsys.readouterr().out
    access = access_for(User.objects.get(username="leitor"))
    assert (access.role, access.company_ids) == ("readonly", frozenset({a.pk, b.pk}))
    assert main(["user", "create", "--username", "fin"]) == 0
    assert access_for(User.objects.get(username="fin")).role == "finance"
    assert main(["user", "create", "--username", "chefe", "--role", "admin"]) == 0
    assert User.objects.get(username="chefe").is_staff


def test_user_create_with_an_unknown_company_creates_nothing(db, capsys):
    assert main(["user", "create", "--username", "x", "--company", "NAO"]) == 2
    assert "empresa com código 'NAO' não encontrada" in capsys.readouterr().err
    assert not User.objects.filter(username="x").exists()


def test_token_create_prints_the_token_on_its_last_line_and_stores_only_a_digest(
    db, make_user, capsys
):
    make_user("api")
    assert main(["token", "create", "api"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("spy_")
    stored = ApiToken.objects.get()
    assert stored.digest == token_digest(token) and token not in stored.digest


def test_token_for_unknown_user_is_an_error(db, capsys):
    assert main(["token", "create", "ninguem"]) == 1
    assert "não existe" in capsys.readouterr().err


def test_keys_rotate_reencrypts_passwords_with_the_newest_key(db, settings, capsys):
    from spysystem.mail.crypto import decrypt, generate_key
    from spysystem.mail.models import SmtpSettings
    from spysystem.mail.services import smtp_settings_save

    smtp_settings_save(
        level="general",
        host="smtp.empresa.com.br",
        from_email="a@empresa.com.br",
        password="segredo",
    )
    old = SmtpSettings.objects.get().password_encrypted
    settings.SPY_ENCRYPTION_KEYS = [generate_key(), *settings.SPY_ENCRYPTION_KEYS]
    assert main(["keys", "rotate"]) == 0
    new = SmtpSettings.objects.get().password_encrypted
    assert new != old and decrypt(new) == "segredo"
    settings.SPY_ENCRYPTION_KEYS = settings.SPY_ENCRYPTION_KEYS[:1]
    assert decrypt(new) == "segredo"


def test_missing_secrets_stop_the_worker_with_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPY_")}
    env.update(DJANGO_SETTINGS_MODULE="spysystem.settings", SPY_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "spysystem.cli", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "spy.E001" in result.stderr and "spy.E002" in result.stderr
    assert "Traceback" not in result.stderr
