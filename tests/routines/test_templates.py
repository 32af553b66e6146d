"""E-mail templates edited per company: used when they render, the built-in one when not."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from spysystem.audit.models import SettingsChange
from spysystem.finance import services as finance
from spysystem.mail.models import Message
from spysystem.mail.services import smtp_settings_save
from spysystem.routines.aviso import aviso_run
from spysystem.routines.emails import template_preview
from spysystem.routines.models import Task
from spysystem.routines.scheduler import tasks_ensure
from spysystem.routines.services import email_template_save, routine_settings_set, task_update
from spysystem.watch.context import Origin
from spysystem.watch.services import recipients_set
from tests.conftest import drain


def test_the_company_template_is_used_for_its_titles_only(make_company, receivable_for):
    a, b = make_company("A"), make_company("B")
    email_template_save(
        routine="aviso",
        company=a,
        subject="Aviso {{ company.name }}: {{ amount }}",
        body_text="Vence {{ due_date }}.",
    )
    receivable_for(a, date(2026, 12, 10), amount=Decimal("12.50"))
    receivable_for(b, date(2026, 12, 10))
    aviso_run(date(2026, 12, 10))
    subjects = sorted(Message.objects.values_list("subject", flat=True))
    assert subjects[0].startswith("Aviso Empresa") and "R$ 12,50" in subjects[0]
    assert "vence hoje" in subjects[1]


def test_the_template_for_all_companies_is_used_where_a_company_has_none(
    make_company, receivable_for
):
    a, b = make_company("A"), make_company("B")
    email_template_save(routine="aviso", company=None, subject="Geral {{ amount }}", body_text=".")
    email_template_save(routine="aviso", company=a, subject="Própria {{ amount }}", body_text=".")
    receivable_for(a, date(2026, 12, 10), amount=Decimal("1.00"))
    receivable_for(b, date(2026, 12, 10), amount=Decimal("2.00"))
    aviso_run(date(2026, 12, 10))
    subjects = sorted(Message.objects.values_list("subject", flat=True))
    assert subjects == ["Geral R$ 2,00", "Própria R$ 1,00"]


def test_a_template_with_a_syntax_error_is_refused(db):
    with pytest.raises(ValidationError) as info:
        email_template_save(routine="boleto", company=None, subject="{% if %}", body_text="x")
    assert "sintaxe" in str(info.value.message_dict["subject"])


def test_a_template_that_fails_at_render_falls_back_and_the_run_lists_it(
    make_company, receivable_for
):
    company = make_company()
    email_template_save(
        routine="aviso", company=company, subject="ok", body_text='{% include "nao-existe.txt" %}'
    )
    receivable_for(company, date(2026, 12, 10))
    counts, problems = aviso_run(date(2026, 12, 10))
    assert counts["emails"] == 1 and "vence hoje" in Message.objects.get().subject
    assert problems and "modelo editado" in problems[0]


def test_edited_templates_see_plain_values_only(
    make_company, make_title, general_smtp, sink, make_user
):
    company = make_company()
    smtp_settings_save(
        level="company",
        company=company,
        host="127.0.0.1",
        from_email="a@b.com.br",
        password="segredo",
    )
    email_template_save(
        routine="spy",
        company=company,
        subject="Alterado {{ company_label }}",
        body_text=(
            "[{{ change.before }}]"  # a real attribute of the model, not whitelisted
            "[{{ change.fanned_out_at }}] {{ actor }}"
        ),
    )
    recipients_set(config={"payable": {"default": [make_user("ana").pk], "companies": {}}})
    title = make_title(company=company)
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal("3.00"))
    drain()
    message = Message.objects.get()
    assert message.subject == f"Alterado {company.code} · {company.name}"
    assert message.body_text.startswith("[][]")


def test_preview_renders_against_a_real_title_without_sending(make_company, receivable_for):
    title = receivable_for(make_company(), date(2026, 12, 10))
    preview = template_preview(
        routine="cobranca",
        title=title,
        subject="{{ party.name }} {{ total }}",
        body_text="{% for l in lines %}{{ l.updated }}{% endfor %}",
    )
    assert preview.subject.endswith("R$ 1.000,00") and preview.text == "R$ 1.000,00"
    assert not Message.objects.exists()


def test_routine_settings_and_tasks_validate_in_portuguese_and_are_audited(make_company, make_user):
    company = make_company()
    with pytest.raises(ValidationError, match="números"):
        routine_settings_set(company=company, aviso_offsets=["cinco"])
    routine_settings_set(
        company=company, aviso_offsets=["5", "2", "0"], reply_to="cobranca@empresa.com.br"
    )
    tasks_ensure()
    task = Task.objects.get(name="GEAtualizaCobranca")
    with pytest.raises(ValidationError, match="Agenda inválida"):
        task_update(task=task, schedule="sempre")
    task_update(task=task, schedule="0 9 * * 1-5", enabled=False, notify_user_ids=[make_user().pk])
    assert set(SettingsChange.objects.values_list("area", flat=True)) == {
        f"rotinas:{company.code}",
        "tarefa:GEAtualizaCobranca",
    }
