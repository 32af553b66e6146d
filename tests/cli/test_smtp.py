"""``spy smtp-explain``, ``spy smtp-test`` and ``spy smtp show``."""

from __future__ import annotations

import pytest

from spysystem.cli import main
from spysystem.mail.models import Message
from spysystem.mail.services import smtp_settings_save, switches_set
from spysystem.mail.testsend import smtp_test_send
from tests.smtp_sink import Authenticator, SmtpSink, free_port

SECRET = "segredo-xyz"


def save(level: str, port: int, company=None, **fields):
    values = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_email": f"{level}@empresa.com.br",
        "from_name": f"Spy {level}",
        "timeout": 5,
    }
    values.update(fields)
    return smtp_settings_save(level=level, company=company, **values)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- smtp-explain ------------------------------------------------------------------------------


def test_explain_names_the_company_level_its_server_sender_and_reason(db, make_company, capsys):
    company = make_company("E01")
    save("general", 2501)
    save("company", 2503, company=company)
    code, out, _ = run(capsys, "smtp-explain", "--company", "E01", "--routine", "spy")
    assert code == 0
    assert "Nível: Financeiro / Spy System / Empresas" in out
    assert "Servidor: 127.0.0.1:2503" in out
    assert "Remetente: Spy company <company@empresa.com.br>" in out
    assert "Motivo: A empresa tem servidor SMTP próprio" in out


def test_explain_falls_back_to_the_finance_level(db, make_company, capsys):
    make_company("E02")
    save("general", 2501)
    save("finance", 2502)
    code, out, _ = run(capsys, "smtp-explain", "--company", "E02", "--routine", "spy")
    assert code == 0
    assert "Nível: Financeiro / Spy System\n" in out
    assert "Servidor: 127.0.0.1:2502" in out
    assert "não tem servidor SMTP próprio" in out


def test_explain_other_routines_use_the_general_level_when_the_switch_is_off(
    db, make_company, capsys
):
    company = make_company("E03")
    save("general", 2501)
    save("company", 2503, company=company)
    code, out, _ = run(capsys, "smtp-explain", "--company", "E03", "--routine", "boleto")
    assert code == 0
    assert "Nível: Geral / Spy System" in out
    assert "Servidor: 127.0.0.1:2501" in out
    assert "está desmarcada" in out


def test_explain_without_any_server_says_nenhum(db, make_company, capsys):
    make_company("E04")
    code, out, _ = run(capsys, "smtp-explain", "--company", "E04", "--routine", "aviso")
    assert code == 0
    assert "Nível: nenhum" in out and "Servidor:" not in out
    assert "Motivo: Nenhum servidor SMTP configurado" in out


def test_explain_with_an_unknown_company_is_an_error_in_portuguese(db, capsys):
    code, out, err = run(capsys, "smtp-explain", "--company", "XYZ", "--routine", "spy")
    assert code == 1
    assert "erro: empresa com código 'XYZ' não encontrada." in err
    assert out == ""


def test_explain_rejects_an_unknown_routine(db):
    with pytest.raises(SystemExit) as info:
        main(["smtp-explain", "--company", "E01", "--routine", "fax"])
    assert info.value.code == 2


# -- smtp-test ---------------------------------------------------------------------------------


def test_smtp_test_of_the_stored_level_succeeds_step_by_step(general_smtp, sink, capsys):
    code, out, _ = run(capsys, "smtp-test", "--level", "general", "--to", "teste@empresa.com.br")
    assert code == 0, out
    assert "Testando Geral / Spy System: 127.0.0.1:" in out
    for step in ("Conexão", "EHLO", "MAIL FROM", "RCPT TO", "DATA"):
        assert f"OK      {step}: " in out
    assert "Resumo: Envio de teste concluído" in out
    assert sink.received[0].rcpt_tos == ["teste@empresa.com.br"]
    assert Message.objects.get(routine="test").requested_by is None


def test_smtp_test_against_a_closed_port_fails_at_connection(db, capsys):
    save("finance", free_port())
    code, out, _ = run(capsys, "smtp-test", "--level", "finance", "--to", "teste@empresa.com.br")
    assert code == 1
    assert "FALHOU  Conexão: (sem resposta do servidor)" in out
    assert "Não foi possível conectar ao servidor SMTP" in out
    assert "Resumo: Falhou na etapa Conexão" in out


def test_smtp_test_uses_the_decrypted_stored_password_and_never_prints_it(db, make_company, capsys):
    server = SmtpSink(authenticator=Authenticator("spy", SECRET), auth_require_tls=False).start()
    try:
        company = make_company("E05")
        save("company", server.port, company=company, username="spy", password=SECRET)
        argv = ["smtp-test", "--level", "company", "--company", "E05", "--to", "x@empresa.com.br"]
        code, out, err = run(capsys, *argv)
    finally:
        server.stop()
    assert code == 0, out
    assert "OK      AUTH: 235" in out
    assert SECRET not in out + err


def test_smtp_test_reports_a_rejected_recipient_with_the_reply(general_smtp, sink, capsys):
    sink.handler.on_rcpt = lambda address: "550 5.1.1 Caixa postal inexistente"
    code, out, _ = run(capsys, "smtp-test", "--level", "general", "--to", "x@empresa.com.br")
    assert code == 1
    assert "FALHOU  RCPT TO: 550 5.1.1 Caixa postal inexistente" in out
    assert "→ Recusa definitiva do servidor." in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--level", "finance"], "nível Financeiro / Spy System não configurado."),
        (["--level", "company"], "use --company CÓDIGO com --level company"),
        (["--level", "general", "--company", "E01"], "use --company CÓDIGO com --level company"),
        (["--level", "company", "--company", "NAO"], "empresa com código 'NAO' não encontrada."),
    ],
)
def test_smtp_test_without_a_configured_level_or_with_bad_options_exits_2(
    general_smtp, sink, capsys, argv, message
):
    code, _out, err = run(capsys, "smtp-test", *argv, "--to", "x@empresa.com.br")
    assert code == 2
    assert message in err
    assert sink.received == [] and not Message.objects.exists()


def test_smtp_test_with_a_bad_address_exits_2_and_records_nothing(general_smtp, sink, capsys):
    code, _, err = run(capsys, "smtp-test", "--level", "general", "--to", "não é e-mail")
    assert code == 2
    assert "erro: to: " in err
    assert not Message.objects.exists()


def test_cli_tests_share_one_rate_limit_apart_from_app_users(general_smtp, sink, make_user, capsys):
    user = make_user()
    for _ in range(5):
        smtp_test_send(settings=general_smtp, password="", to="x@empresa.com.br", user=user)
    argv = ["smtp-test", "--level", "general", "--to", "x@empresa.com.br"]
    assert [run(capsys, *argv)[0] for _ in range(5)] == [0] * 5
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert "aguarde um minuto" in err
    assert len(sink.received) == 10


# -- smtp show ---------------------------------------------------------------------------------


def test_smtp_show_prints_the_three_levels_and_switches_but_never_the_password(
    db, make_company, capsys
):
    company = make_company("E06", name="Filial Norte Ltda")
    save("general", 2501, username="spy", password=SECRET, reply_to="fin@empresa.com.br")
    save("company", 2503, company=company)
    switches_set(use_spy_smtp=True)
    code, out, err = run(capsys, "smtp", "show")
    assert code == 0
    assert SECRET not in out + err
    general, rest = out.split("Financeiro / Spy System\n", 1)
    assert "servidor: 127.0.0.1:2501 (Nenhuma (somente servidor local))" in general
    assert "usuário: spy" in general and "senha: definida" in general
    assert "responder para: fin@empresa.com.br" in general
    finance, companies = rest.split("Financeiro / Spy System / Empresas\n", 1)
    assert finance.strip().startswith("não configurado")
    assert "E06 · Filial Norte Ltda" in companies and "senha: não definida" in companies
    assert (
        "Utilizar configurações abaixo do servidor SMTP spy system para envio de e-mail: sim" in out
    )
    assert "Gerar cobrança por empresa: não" in out


def test_smtp_show_with_nothing_configured(db, capsys):
    code, out, _ = run(capsys, "smtp", "show")
    assert code == 0
    assert out.count("não configurado") == 2
    assert "nenhuma empresa com servidor próprio" in out
