"""``spy task list|run|runs``."""

from __future__ import annotations

import re
from datetime import date

from spysystem.cli import main
from spysystem.finance.models import Ledger
from spysystem.routines.models import TaskRun

AVISO = "GEEnviaEmailAvisoVencimento"
COBRANCA = "GEAtualizaCobranca"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_task_list_shows_schedule_enabled_next_run_and_last_run(db, capsys):
    code, out, _ = run(capsys, "task", "list")
    assert code == 0
    header, _rule, *rows = out.splitlines()
    for column in ("tarefa", "agenda", "ativa", "próxima execução", "última execução"):
        assert column in header
    assert [row.split()[0] for row in rows] == [COBRANCA, AVISO]
    assert "0 7 * * *" in rows[1] and "sim" in rows[1]
    run(capsys, "task", "run", AVISO, "--as-of", "2026-12-09")
    _, out, _ = run(capsys, "task", "list")
    aviso_row = out.splitlines()[3]
    assert re.search(r"concluída em \d{2}/\d{2}/\d{4} \d{2}:\d{2}", aviso_row)


def test_next_run_is_shown_in_sao_paulo_time(db, capsys):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from spysystem.routines.models import Task
    from spysystem.routines.scheduler import tasks_ensure

    tasks_ensure()
    slot = datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("UTC"))  # 07:00 in São Paulo
    Task.objects.filter(name=AVISO).update(next_run_at=slot)
    _, out, _ = run(capsys, "task", "list")
    assert "10/12/2026 07:00" in out


def test_task_run_as_of_prints_counts_and_is_recorded(make_title, capsys):
    make_title(ledger=Ledger.RECEIVABLE, due_date=date(2026, 12, 10))
    code, out, err = run(capsys, "task", "run", AVISO, "--as-of", "2026-12-09")
    assert code == 0, err
    assert f"Tarefa {AVISO} (dia 09/12/2026): concluída." in out
    assert "Contagens: emails=1, titulos=1" in out
    stored = TaskRun.objects.get()
    assert (stored.as_of, stored.trigger, stored.status) == (date(2026, 12, 9), "cli", "ok")


def test_task_run_with_problems_exits_0_and_lists_them(make_title, make_party, capsys):
    party = make_party()
    party.emails.all().delete()
    make_title(ledger=Ledger.RECEIVABLE, party=party, due_date=date(2026, 12, 10))
    code, out, _ = run(capsys, "task", "run", AVISO, "--as-of", "2026-12-10")
    assert code == 0
    assert "concluída com problemas" in out
    assert "Problemas (1):" in out and "e-mail" in out


def test_a_failed_run_exits_1_with_the_error(db, monkeypatch, capsys):
    from spysystem.routines import scheduler

    def boom(as_of):
        raise RuntimeError("sem conexão")

    monkeypatch.setattr(scheduler, "registry", lambda: {AVISO: boom, COBRANCA: boom})
    code, out, _ = run(capsys, "task", "run", COBRANCA)
    assert code == 1
    assert "falhou" in out and "Erro: RuntimeError: sem conexão" in out


def test_unknown_task_or_bad_date_exits_2(db, capsys):
    code, _, err = run(capsys, "task", "run", "GENaoExiste")
    assert code == 2 and "tarefa 'GENaoExiste' não existe" in err
    code, _, err = run(capsys, "task", "run", AVISO, "--as-of", "31/12/2026")
    assert code == 2 and "data inválida em --as-of" in err
    code, _, err = run(capsys, "task", "runs", "GENaoExiste")
    assert code == 2
    assert not TaskRun.objects.exists()


def test_task_runs_shows_the_history_newest_first_with_limit(db, capsys):
    code, out, _ = run(capsys, "task", "runs", COBRANCA)
    assert code == 0 and "ainda não foi executada" in out
    for day in ("2026-12-01", "2026-12-02", "2026-12-03"):
        run(capsys, "task", "run", COBRANCA, "--as-of", day)
    code, out, _ = run(capsys, "task", "runs", COBRANCA, "--limit", "2")
    header, _rule, *rows = out.splitlines()
    assert "situação" in header and "contagens" in header
    assert len(rows) == 2
    assert "03/12/2026" in rows[0] and "02/12/2026" in rows[1]
    assert "cli" in rows[0] and "concluída" in rows[0]
