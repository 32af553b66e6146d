"""The task scheduler inside the worker: slots claimed once, catch-up once, run history.

``process_one_task()`` is the worker step. A task is due when ``next_run_at`` has passed; the
worker claims that slot by inserting the ``TaskRun`` (unique per task and slot) and moves
``next_run_at`` to the next slot after *now*, in one transaction — so two workers never run the
same slot and a week of downtime produces one catch-up run, not seven.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta

from croniter import croniter
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spysystem.routines.models import RunStatus, Task, TaskRun

logger = logging.getLogger(__name__)

TaskBody = Callable[[date], tuple[dict, list[str]]]  # as_of -> (counts, problems)

DEFAULT_TASKS = {
    "GEEnviaEmailAvisoVencimento": (
        "Envia o e-mail de aviso de vencimento aos clientes",
        "0 7 * * *",
    ),
    "GEAtualizaCobranca": ("Atualiza as cobranças e envia o e-mail de cobrança", "0 8 * * *"),
}


def registry() -> dict[str, TaskBody]:
    """The task names of the manual and what they run."""
    from spysystem.routines.aviso import aviso_run
    from spysystem.routines.cobranca import cobranca_run

    return {"GEEnviaEmailAvisoVencimento": aviso_run, "GEAtualizaCobranca": cobranca_run}


def validate_schedule(expression: str) -> None:
    if not croniter.is_valid(expression):
        raise ValidationError(
            {"schedule": [_("Agenda inválida: use o formato cron, por exemplo “0 7 * * *”.")]}
        )


def next_slot(expression: str, after: datetime) -> datetime:
    """The first slot of ``expression`` strictly after ``after``, in São Paulo time."""
    local = timezone.localtime(after)
    return croniter(expression, local).get_next(datetime)


def latest_slot(expression: str, now: datetime) -> datetime:
    """The last slot of ``expression`` at or before ``now``, in São Paulo time."""
    local = timezone.localtime(now)
    # One second on, so that a slot exactly at ``now`` counts; a slot within that second is
    # still to come, so step back once more.
    slot = croniter(expression, local + timedelta(seconds=1)).get_prev(datetime)
    return slot if slot <= local else croniter(expression, slot).get_prev(datetime)


def _claim_due_task(now: datetime) -> TaskRun | None:
    with transaction.atomic():
        due = Task.objects.filter(enabled=True, next_run_at__lte=now).order_by("next_run_at")
        task = due.select_for_update(skip_locked=True).first()
        if task is None:
            return None
        # After downtime the missed slots run once, as of the latest: today's warnings are the
        # ones still worth sending, and a week-old "vence hoje" would be wrong.
        slot = max(task.next_run_at, latest_slot(task.schedule, now))
        task.next_run_at = next_slot(task.schedule, now)
        task.save(update_fields=["next_run_at"])
        try:
            with transaction.atomic():
                return TaskRun.objects.create(
                    task=task, slot=slot, as_of=timezone.localtime(slot).date()
                )
        except IntegrityError:  # another worker ran this slot already
            return None


def tasks_ensure() -> None:
    """Create the manual's tasks when missing (a new database, or one emptied by hand)."""
    existing = set(Task.objects.values_list("name", flat=True))
    for name, (description, schedule) in DEFAULT_TASKS.items():
        if name not in existing:
            Task.objects.get_or_create(
                name=name, defaults={"description": description, "schedule": schedule}
            )


def _schedule_new_tasks(now: datetime) -> None:
    tasks_ensure()
    for task in Task.objects.filter(enabled=True, next_run_at__isnull=True):
        Task.objects.filter(pk=task.pk, next_run_at__isnull=True).update(
            next_run_at=next_slot(task.schedule, now)
        )


def process_one_task(
    *, while_running: Callable[[], AbstractContextManager] = contextlib.nullcontext
) -> bool:
    """Run one due task slot, if any; False when nothing was due.

    The task body runs inside ``while_running()`` (the worker keeps its deliveries tended there,
    since a task can outlast a message lease); checking what is due does not.
    """
    now = timezone.now()
    _schedule_new_tasks(now)
    run = _claim_due_task(now)
    if run is None:
        return False
    with while_running():
        execute(run)
    return True


def task_run_now(*, name: str, as_of: date | None = None, trigger: str = "manual") -> TaskRun:
    """“Executar agora”: run ``name`` as if on ``as_of`` (default today); a run of its own."""
    tasks_ensure()
    task = Task.objects.get(name=name)
    run = TaskRun.objects.create(
        task=task, slot=timezone.now(), as_of=as_of or timezone.localdate(), trigger=trigger
    )
    execute(run)
    run.refresh_from_db()
    return run


def execute(run: TaskRun) -> None:
    """Run the task body for ``run.as_of`` and record counts, problems or the failure."""
    body = registry()[run.task.name]
    try:
        counts, problems = body(run.as_of)
    except Exception as exc:  # a failed task is recorded and reported, never silent
        logger.exception("task %s failed", run.task.name)
        _finish(run, RunStatus.FAILED, {}, [], f"{type(exc).__name__}: {exc}")
        _notify_failure(run)
        return
    _finish(run, RunStatus.PARTIAL if problems else RunStatus.OK, counts, problems, "")


def _finish(run: TaskRun, status: str, counts: dict, problems: list[str], error: str) -> None:
    TaskRun.objects.filter(pk=run.pk).update(
        status=status,
        counts=counts,
        problems=problems[:500],
        error=error[:4000],
        finished_at=timezone.now(),
    )


def _notify_failure(run: TaskRun) -> None:
    from spysystem.mail.models import Routine
    from spysystem.mail.services import MessageDraft, message_enqueue_many

    run.refresh_from_db()
    subject = _("[Spy System] A tarefa %(task)s falhou") % {"task": run.task.name}
    body = _("A tarefa %(task)s (dia %(day)s) falhou:\n\n%(error)s\n") % {
        "task": run.task.name,
        "day": run.as_of.strftime("%d/%m/%Y"),
        "error": run.error,
    }
    drafts = [
        MessageDraft(
            routine=Routine.SPY,
            dedupe_key=f"taskfail:{run.pk}:{user.pk}",
            to_email=user.email,
            subject=subject,
            body_text=body,
        )
        for user in run.task.notify_users.exclude(email="")
    ]
    message_enqueue_many(drafts)
