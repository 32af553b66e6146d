"""Tarefas (GEEnviaEmailAvisoVencimento, GEAtualizaCobranca): list, edit, “Executar agora”,
history; the Telecobrança buttons; the per-company routine options."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from spysystem.mail.models import Message
from spysystem.routines.models import CompanyRoutineSettings, Task, TaskRun
from spysystem.routines.scheduler import tasks_ensure


@pytest.fixture
def tasks(db):
    tasks_ensure()
    return {task.name: task for task in Task.objects.all()}


def test_list_shows_the_manuals_task_names_schedule_and_cron_help(login, make_user, tasks):
    reader = login(make_user("leitor", role="readonly"))

    page = reader.get(reverse("routines:task_list")).text

    assert "GEEnviaEmailAvisoVencimento" in page
    assert "GEAtualizaCobranca" in page
    assert "0 7 * * *" in page
    assert "/20" in page  # the next run, dd/mm/aaaa hh:mm, even before the worker scheduled it
    assert "minuto, hora, dia do mês, mês e dia da semana" in page
    assert ">Executar agora</button>" not in page  # read-only
    assert ">Editar</a>" not in page


def test_admin_edits_schedule_enabled_and_users_told_on_failure(staff_client, staff_user, tasks):
    task = tasks["GEEnviaEmailAvisoVencimento"]
    url = reverse("routines:task_edit", args=[task.pk])

    response = staff_client.post(
        url, {"schedule": "30 6 * * 1-5", "enabled": "", "notify_users": [staff_user.pk]}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.schedule, task.enabled) == ("30 6 * * 1-5", False)
    assert list(task.notify_users.all()) == [staff_user]
    page = staff_client.get(reverse("routines:task_list")).text
    assert "30 6 * * 1-5" in page


def test_bad_cron_is_shown_next_to_the_field_and_nothing_changes(staff_client, tasks):
    task = tasks["GEAtualizaCobranca"]

    response = staff_client.post(
        reverse("routines:task_edit", args=[task.pk]), {"schedule": "todo dia", "enabled": "on"}
    )

    assert response.status_code == 200
    assert 'id="id_schedule_error"' in response.text
    assert "Agenda inválida" in response.text
    task.refresh_from_db()
    assert task.schedule == "0 8 * * *"


def test_finance_staff_cannot_edit_but_may_run_now(clerk_client, tasks):
    task = tasks["GEAtualizaCobranca"]
    assert clerk_client.get(reverse("routines:task_edit", args=[task.pk])).status_code == 403
    assert "Executar agora" in clerk_client.get(reverse("routines:task_list")).text

    response = clerk_client.post(
        reverse("routines:task_run", args=[task.pk]), {"as_of": "15/03/2027"}, follow=True
    )

    run = TaskRun.objects.get()
    assert (run.trigger, run.as_of, run.status) == ("manual", date(2027, 3, 15), "ok")
    assert "Execução de GEAtualizaCobranca" in response.text
    assert "15/03/2027" in response.text
    assert "concluída" in response.text


def test_run_now_as_of_a_day_sends_the_due_warning(clerk_client, tasks, receivable):
    title = receivable(due_date=date(2027, 3, 10))
    task = tasks["GEEnviaEmailAvisoVencimento"]

    clerk_client.post(reverse("routines:task_run", args=[task.pk]), {"as_of": "05/03/2027"})

    run = TaskRun.objects.get()
    assert run.counts["emails"] == 1
    message = Message.objects.get(routine="aviso")
    assert list(message.titles.all()) == [title]


def test_run_now_with_a_bad_date_runs_nothing(clerk_client, tasks):
    task = tasks["GEAtualizaCobranca"]
    response = clerk_client.post(
        reverse("routines:task_run", args=[task.pk]), {"as_of": "31/02/2027"}, follow=True
    )
    assert "Data inválida" in response.text
    assert not TaskRun.objects.exists()


def test_readonly_and_company_limited_users_cannot_run(login, make_user, make_company, tasks):
    task = tasks["GEAtualizaCobranca"]
    reader = login(make_user("leitor", role="readonly"))
    limited = login(make_user("limitado", role="finance", company_ids=[make_company().pk]))

    for client in (reader, limited):
        assert client.post(reverse("routines:task_run", args=[task.pk])).status_code == 403
        assert client.post(reverse("routines:cobranca_run")).status_code == 403
    assert not TaskRun.objects.exists()


def test_history_and_run_detail_show_counts_problems_and_error(staff_client, tasks, receivable):
    from spysystem.finance.services import party_create
    from tests.conftest import make_cpf

    silent = party_create(name="Cliente Sem Email", document=make_cpf(777), emails=[])
    receivable(party=silent, due_date=date.today() - timedelta(days=8))
    task = tasks["GEAtualizaCobranca"]
    staff_client.post(reverse("routines:cobranca_run"), {"acao": "email"})

    run = TaskRun.objects.get()
    history = staff_client.get(reverse("routines:task_runs", args=[task.pk])).text
    detail = staff_client.get(reverse("routines:run_detail", args=[run.pk])).text

    assert "concluída com problemas" in history
    assert "Cliente Sem Email não tem e-mail" in detail
    assert "clientes:" in detail


def test_telecobranca_buttons_run_geatualizacobranca(staff_client, clerk_client, tasks):
    page = staff_client.get(reverse("mail:switch_cobranca")).text
    assert "Atualizar cobranças" in page and "E-mail de cobrança" in page
    assert "Atualizar cobranças" in clerk_client.get(reverse("routines:task_list")).text

    for client, action in ((staff_client, "atualizar"), (clerk_client, "email")):
        response = client.post(reverse("routines:cobranca_run"), {"acao": action})
        assert response.status_code == 302

    runs = TaskRun.objects.all()
    assert [r.task.name for r in runs] == ["GEAtualizaCobranca"] * 2
    assert all(r.trigger == "manual" for r in runs)


def test_routine_options_are_validated_and_saved(staff_client, clerk_client, make_company):
    company = make_company()
    url = reverse("routines:options_edit", args=[company.pk])
    assert clerk_client.get(url).status_code == 403
    assert "5, 1, 0" in staff_client.get(url).text

    good = {"aviso_offsets": "5, 1, 0", "cobranca_levels": "1, 7", "reply_to": ""}
    for field, value, error in (
        ("aviso_offsets", "5, x", "Informe apenas números de dias"),
        ("cobranca_levels", "1, 7, 500", "Os dias devem estar entre 1 e 365."),
        ("reply_to", "nao-e-email", ""),
    ):
        bad = staff_client.post(url, good | {field: value})
        assert bad.status_code == 200
        assert f'id="id_{field}_error"' in bad.text
        assert error in bad.text
    assert not CompanyRoutineSettings.objects.exists()

    ok = staff_client.post(
        url,
        {"aviso_offsets": "3 1 0", "cobranca_levels": "2, 10", "reply_to": "cobranca@x.com.br"},
    )
    assert ok.status_code == 302
    options = CompanyRoutineSettings.objects.get(company=company)
    assert (options.aviso_offsets, options.cobranca_levels) == ([0, 1, 3], [2, 10])
    assert options.reply_to == "cobranca@x.com.br"
    listing = staff_client.get(reverse("routines:options_list")).text
    assert "0, 1, 3" in listing
    assert reverse("routines:options_list") in staff_client.get(reverse("mail:switch_aviso")).text
