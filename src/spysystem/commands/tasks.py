"""``spy task list|run|runs``: the manual's scheduled tasks (GEEnviaEmailAvisoVencimento,
GEAtualizaCobranca), their schedule, a run "now" (optionally as if on another day) and history.

``spy task run`` exits 0 when the run finished (``ok`` or with problems), 1 when it failed, 2 for
an unknown task or a bad ``--as-of``.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from spysystem.cli_format import EMPTY, table, truncate, when, yes_no
from spysystem.commands import CommandError, add_command, add_group, add_limit


def status_label(status: str) -> str:
    from spysystem.routines.models import RunStatus

    return RunStatus(status).label if status in RunStatus.values else status


def counts_text(counts: dict) -> str:
    return ", ".join(f"{name}={value}" for name, value in sorted(counts.items())) or EMPTY


def next_run(task: Any) -> Any:
    """The next slot: the one the worker stored, or (before the worker's first pass) the one
    the schedule gives from now."""
    from django.utils import timezone

    from spysystem.routines.scheduler import next_slot

    return task.next_run_at or next_slot(task.schedule, timezone.now())


def _find_task(name: str) -> Any:
    from spysystem.routines.models import Task
    from spysystem.routines.scheduler import tasks_ensure

    tasks_ensure()
    task = Task.objects.filter(name=name).first()
    if task is None:
        known = ", ".join(Task.objects.values_list("name", flat=True))
        raise CommandError(f"tarefa {name!r} não existe (tarefas: {known}).", 2)
    return task


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"data inválida em --as-of: {text!r} (use AAAA-MM-DD).", 2) from exc


def cmd_task_list(args: argparse.Namespace) -> int:
    from spysystem.routines.models import Task
    from spysystem.routines.scheduler import tasks_ensure

    tasks_ensure()
    rows = []
    for task in Task.objects.order_by("name"):
        last = task.runs.order_by("-id").first()
        last_text = f"{status_label(last.status)} em {when(last.started_at)}" if last else EMPTY
        rows.append(
            [
                task.name,
                task.schedule,
                yes_no(task.enabled),
                when(next_run(task)) if task.enabled else EMPTY,
                last_text,
            ]
        )
    print(table(("tarefa", "agenda", "ativa", "próxima execução", "última execução"), rows))
    return 0


def print_run(run: Any) -> None:
    day = run.as_of.strftime("%d/%m/%Y")
    print(f"Tarefa {run.task.name} (dia {day}): {status_label(run.status)}.")
    print(f"Contagens: {counts_text(run.counts)}")
    if run.problems:
        print(f"Problemas ({len(run.problems)}):")
        for problem in run.problems:
            print(f"  - {problem}")
    if run.error:
        print(f"Erro: {run.error}")


def cmd_task_run(args: argparse.Namespace) -> int:
    from spysystem.routines.models import RunStatus
    from spysystem.routines.scheduler import task_run_now
    from spysystem.watch.context import Origin

    task = _find_task(args.name)
    as_of = _as_of(args.as_of)
    run = task_run_now(name=task.name, as_of=as_of, trigger=Origin.CLI)
    print_run(run)
    return 1 if run.status == RunStatus.FAILED else 0


def cmd_task_runs(args: argparse.Namespace) -> int:
    task = _find_task(args.name)
    runs = list(task.runs.order_by("-id")[: args.limit])
    if not runs:
        print(f"A tarefa {task.name} ainda não foi executada.")
        return 0
    rows = [
        [
            when(run.started_at),
            when(run.finished_at),
            run.as_of.strftime("%d/%m/%Y"),
            run.trigger,
            status_label(run.status),
            counts_text(run.counts),
            len(run.problems),
            truncate(run.error, 60),
        ]
        for run in runs
    ]
    headers = ("início", "fim", "dia", "disparo", "situação", "contagens", "problemas", "erro")
    print(table(headers, rows))
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    task = add_group(sub, "task", "tarefas agendadas (aviso de vencimento, cobrança)")
    add_command(task, "list", cmd_task_list, "lista as tarefas, a agenda e a última execução")
    run = add_command(task, "run", cmd_task_run, "executa uma tarefa agora")
    run.add_argument("name", metavar="NOME", help="nome da tarefa, p. ex. GEAtualizaCobranca")
    run.add_argument(
        "--as-of",
        metavar="AAAA-MM-DD",
        help="executa como se fosse este dia (para repetir um dia perdido)",
    )
    runs = add_command(task, "runs", cmd_task_runs, "histórico de execuções de uma tarefa")
    runs.add_argument("name", metavar="NOME", help="nome da tarefa")
    add_limit(runs, default=20)
