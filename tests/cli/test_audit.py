"""``spy audit list``: who changed which setting, through which channel; secrets never shown."""

from __future__ import annotations

from spysystem.api.services import token_create
from spysystem.cli import main
from tests.api.conftest import API, bearer_client


def test_smtp_change_through_the_api_is_listed_with_the_actor_and_no_password(
    make_user, sink, capsys
):
    admin = make_user("marta", is_admin=True)
    api = bearer_client(token_create(user=admin))
    smtp = {
        "host": "127.0.0.1",
        "port": sink.port,
        "security": "none",
        "username": "spy",
        "password": "senha-muito-secreta",
        "from_email": "spy@empresa.com.br",
    }
    assert api.put(f"{API}smtp/general", smtp, format="json").status_code == 200
    assert api.put(f"{API}smtp/switches", {"use_spy_smtp": True}, format="json").status_code == 200
    assert main(["audit", "list"]) == 0
    out = capsys.readouterr().out
    header, _rule, *rows = out.splitlines()
    for column in ("quando", "área", "autor", "origem", "o que mudou"):
        assert column in header
    assert len(rows) == 2
    assert "switches" in rows[0] and "use_spy_smtp: false → true" in rows[0]
    assert "smtp:general" in rows[1] and "marta" in rows[1] and "API" in rows[1]
    assert "senha-muito-secreta" not in out
    assert main(["audit", "list", "--area", "smtp"]) == 0
    out = capsys.readouterr().out
    assert "smtp:general" in out and "switches" not in out


def test_audit_list_limit_and_empty(db, capsys):
    assert main(["audit", "list"]) == 0
    assert "Nenhuma alteração de configuração" in capsys.readouterr().out
    from spysystem.mail.services import switches_set

    for value in (True, False, True):
        switches_set(use_spy_smtp=value)
    assert main(["audit", "list", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "sistema" in out
    assert "Mostrando 2 de 3 alterações" in out
