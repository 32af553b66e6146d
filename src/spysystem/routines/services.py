"""Writes of the routines context: per-company options, edited e-mail templates, tasks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spysystem.audit.services import settings_change_record
from spysystem.finance.models import Company
from spysystem.routines.emails import template_validate
from spysystem.routines.models import CompanyRoutineSettings, EmailTemplate, Task
from spysystem.routines.scheduler import next_slot, validate_schedule

ROUTINES = ("spy", "boleto", "aviso", "cobranca")


def _day_list(values: list, field: str, *, low: int, high: int) -> list[int]:
    try:
        days = sorted({int(v) for v in values})
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            {field: [_("Informe apenas números de dias, separados por vírgula.")]}
        ) from exc
    if not days or days[0] < low or days[-1] > high:
        raise ValidationError(
            {
                field: [
                    _("Os dias devem estar entre %(low)d e %(high)d.") % {"low": low, "high": high}
                ]
            }
        )
    return days


@transaction.atomic
def routine_settings_set(
    *,
    company: Company,
    aviso_offsets: list | None = None,
    cobranca_levels: list | None = None,
    reply_to: str | None = None,
    actor: object | None = None,
    origin: str = "system",
) -> CompanyRoutineSettings:
    """Set a company's warning offsets (0–60 days), collection levels (1–365) and reply-to."""
    from spysystem.finance.validators import normalize_email_address

    options, _created = CompanyRoutineSettings.objects.get_or_create(company=company)
    before = {
        "aviso_offsets": options.aviso_offsets,
        "cobranca_levels": options.cobranca_levels,
        "reply_to": options.reply_to,
    }
    if aviso_offsets is not None:
        options.aviso_offsets = _day_list(aviso_offsets, "aviso_offsets", low=0, high=60)
    if cobranca_levels is not None:
        options.cobranca_levels = _day_list(cobranca_levels, "cobranca_levels", low=1, high=365)
    if reply_to is not None:
        try:
            options.reply_to = normalize_email_address(reply_to) if reply_to else ""
        except ValidationError as exc:
            raise ValidationError({"reply_to": exc.messages}) from exc
    options.save()
    after = {
        "aviso_offsets": options.aviso_offsets,
        "cobranca_levels": options.cobranca_levels,
        "reply_to": options.reply_to,
    }
    settings_change_record(
        area=f"rotinas:{company.code}", actor=actor, origin=origin, before=before, after=after
    )
    return options


@transaction.atomic
def email_template_save(
    *,
    routine: str,
    company: Company | None,
    subject: str,
    body_text: str,
    body_html: str = "",
    actor: object | None = None,
    origin: str = "system",
) -> EmailTemplate:
    """Create or replace the edited template of ``routine`` (for ``company``, or all when None).
    A template that does not parse is refused (``ValidationError``) and nothing is saved."""
    if routine not in ROUTINES:
        raise ValidationError({"routine": [_("Rotina desconhecida: %s.") % routine]})
    template_validate(subject=subject, body_text=body_text, body_html=body_html)
    template = EmailTemplate.objects.filter(
        routine=routine, company=company
    ).first() or EmailTemplate(routine=routine, company=company)
    before = (
        {
            "subject": template.subject,
            "body_text": template.body_text,
            "body_html": template.body_html,
        }
        if template.pk
        else None
    )
    template.subject, template.body_text, template.body_html = subject, body_text, body_html
    template.save()
    area = f"modelo:{routine}" + (f":{company.code}" if company else "")
    settings_change_record(
        area=area,
        actor=actor,
        origin=origin,
        before=before,
        after={"subject": subject, "body_text": body_text, "body_html": body_html},
    )
    return template


def email_template_delete(
    *, routine: str, company: Company | None, actor: object | None = None, origin: str = "system"
) -> bool:
    """Go back to the built-in template."""
    deleted, _count = EmailTemplate.objects.filter(routine=routine, company=company).delete()
    if deleted:
        area = f"modelo:{routine}" + (f":{company.code}" if company else "")
        settings_change_record(
            area=area, actor=actor, origin=origin, before={"custom": True}, after=None
        )
    return bool(deleted)


@transaction.atomic
def task_update(
    *,
    task: Task,
    schedule: str | None = None,
    enabled: bool | None = None,
    notify_user_ids: list[int] | None = None,
    actor: object | None = None,
    origin: str = "system",
) -> Task:
    """Change a task's cron schedule, enable/disable it, or set the users told when it fails."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    before = {"schedule": task.schedule, "enabled": task.enabled}
    if schedule is not None:
        validate_schedule(schedule)
        task.schedule = schedule
        task.next_run_at = next_slot(schedule, timezone.now())
    if enabled is not None:
        if enabled and not task.enabled:  # from its next slot, not the ones missed while off
            task.next_run_at = next_slot(task.schedule, timezone.now())
        task.enabled = enabled
    task.save()
    if notify_user_ids is not None:
        users = list(User.objects.filter(pk__in=notify_user_ids))
        if len(users) != len(set(notify_user_ids)):
            raise ValidationError({"notify_users": [_("Usuário desconhecido.")]})
        task.notify_users.set(users)
    settings_change_record(
        area=f"tarefa:{task.name}",
        actor=actor,
        origin=origin,
        before=before,
        after={"schedule": task.schedule, "enabled": task.enabled},
    )
    return task
