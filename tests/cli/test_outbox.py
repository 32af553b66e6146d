"""``spy outbox list|retry|cancel``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from spysystem.cli import main
from spysystem.mail.models import Message
from spysystem.mail.services import MessageDraft, message_enqueue_many

CREATED = datetime(2026, 11, 3, 15, 4, tzinfo=UTC)  # 12:04 in São Paulo


@pytest.fixture
def make_message(db):
    def factory(status: str = "pending", **fields):
        draft = MessageDraft(
            routine=fields.pop("routine", "spy"),
            dedupe_key=f"cli:{Message.objects.count()}",
            to_email=fields.pop("to_email", "ana@example.com"),
            subject="Assunto",
            body_text="corpo",
            **fields,
        )
        with time_machine.travel(CREATED, tick=False):
            message_enqueue_many([draft])
        message = Message.objects.get(dedupe_key=draft.dedupe_key)
        Message.objects.filter(pk=message.pk).update(status=status)
        return Message.objects.get(pk=message.pk)

    return factory


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_is_a_compact_table_in_portuguese_and_sao_paulo_time(
    make_message, make_company, capsys
):
    company = make_company("E01")
    message = make_message(status="failed", company_id=company.pk)
    Message.objects.filter(pk=message.pk).update(
        attempts=3,
        smtp_level="finance",
        last_error="550 5.1.1 Caixa postal inexistente " + "x" * 80,
    )
    code, out, _ = run(capsys, "outbox", "list")
    assert code == 0
    header, rule, row = out.splitlines()
    for column in ("criado em", "rotina", "empresa", "destinatário", "situação", "tentativas"):
        assert column in header
    assert {"próxima tentativa", "nível SMTP", "último erro"} <= {
        c.strip() for c in header.split("  ") if c.strip()
    }
    assert set(rule) <= {"-", " "}
    assert row.startswith(f"{message.pk}  ")
    for cell in ("03/11/2026 12:04", "Spy System", "E01", "ana@example.com", "falhou"):
        assert cell in row
    assert "Financeiro" in row and "550 5.1.1 Caixa postal inexistente" in row
    assert row.endswith("…") and "x" * 80 not in row


def test_pending_message_shows_its_next_attempt(make_message, capsys):
    make_message()
    _, out, _ = run(capsys, "outbox", "list")
    assert out.splitlines()[2].count("03/11/2026 12:04") == 2


def test_list_filters_by_status_routine_and_company(make_message, make_company, capsys):
    company = make_company("E02")
    wanted = make_message(status="failed", routine="boleto", company_id=company.pk)
    make_message(status="failed", routine="boleto")
    make_message(status="sent", routine="boleto", company_id=company.pk)
    make_message(status="failed", routine="spy", company_id=company.pk)
    argv = ["--status", "failed", "--routine", "boleto", "--company", "E02"]
    _, out, _ = run(capsys, "outbox", "list", *argv)
    rows = out.splitlines()[2:]
    assert [int(row.split()[0]) for row in rows] == [wanted.pk]


def test_list_is_cut_by_limit_with_a_footer(make_message, capsys):
    for _ in range(3):
        make_message()
    _, out, _ = run(capsys, "outbox", "list", "--limit", "2")
    lines = out.splitlines()
    assert len(lines) == 5
    assert lines[-1] == "Mostrando 2 de 3 mensagens; use --limit para ver mais."


def test_empty_list_and_unknown_company(db, capsys):
    assert run(capsys, "outbox", "list")[1] == "Nenhuma mensagem.\n"
    code, _, err = run(capsys, "outbox", "list", "--company", "NAO")
    assert code == 1
    assert "empresa com código 'NAO' não encontrada" in err


def test_unknown_status_or_routine_exits_2_with_the_valid_values(db, capsys):
    code, _, err = run(capsys, "outbox", "list", "--status", "perdido")
    assert code == 2
    assert "--status: use um de pending, sending, sent, failed, cancelled" in err
    assert run(capsys, "outbox", "list", "--routine", "fax")[0] == 2


def test_bad_limit_is_refused_by_the_parser(db):
    with pytest.raises(SystemExit) as info:
        main(["outbox", "list", "--limit", "0"])
    assert info.value.code == 2


def test_retry_puts_a_failed_message_back_in_line(make_message, capsys):
    message = make_message(status="failed")
    Message.objects.filter(pk=message.pk).update(last_error="421 tente depois")
    code, out, _ = run(capsys, "outbox", "retry", str(message.pk))
    assert code == 0
    assert out == f"Mensagem {message.pk} colocada na fila para reenvio.\n"
    message.refresh_from_db()
    assert (message.status, message.last_error) == ("pending", "")


def test_cancel_stops_a_pending_message(make_message, capsys):
    message = make_message()
    code, out, _ = run(capsys, "outbox", "cancel", str(message.pk))
    assert code == 0
    assert out == f"Mensagem {message.pk} cancelada.\n"
    assert Message.objects.get().status == "cancelled"


def test_sent_message_cannot_be_retried_or_cancelled(make_message, capsys):
    message = make_message(status="sent")
    retry = run(capsys, "outbox", "retry", str(message.pk))
    cancel = run(capsys, "outbox", "cancel", str(message.pk))
    assert (retry[0], cancel[0]) == (1, 1)
    assert (
        f"a mensagem {message.pk} não pode ser reenviada: está com situação “enviado”" in retry[2]
    )
    assert (
        f"a mensagem {message.pk} não pode ser cancelada: está com situação “enviado”" in cancel[2]
    )
    assert Message.objects.get().status == "sent"


def test_unknown_message_is_an_error(db, capsys):
    code, _, err = run(capsys, "outbox", "retry", "999999")
    assert code == 1
    assert "erro: mensagem 999999 não encontrada." in err


def test_a_failed_test_message_is_not_retried_and_the_cli_says_why(make_message, capsys):
    message = make_message(status="failed", routine="test")
    code, _out, err = run(capsys, "outbox", "retry", str(message.pk))
    assert code == 1 and "Mensagens de teste não são reenviadas" in err
    assert Message.objects.get().status == "failed"
