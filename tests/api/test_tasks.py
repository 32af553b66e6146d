"""``/api/v1/tasks``: list, detail, PATCH (administrators), run now with ``as_of``, history."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from spysystem.audit.models import SettingsChange
from spysystem.finance.models import Ledger
from spysystem.mail.models import Message
from spysystem.routines.models import Task, TaskRun
from tests.api.conftest import API

AVISO = "GEEnviaEmailAvisoVencimento"
COBRANCA = "GEAtualizaCobranca"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def test_tasks_are_listed_with_schedule_next_run_and_last_run(api):
    body = api.get(f"{API}tasks").json()
    assert [t["name"] for t in body] == [COBRANCA, AVISO]
    aviso = body[1]
    assert aviso["schedule"] == "0 7 * * *"
    assert aviso["enabled"] is True
    assert aviso["description"]
    assert set(aviso) >= {"next_run_at", "last_run", "notify_users"}
    assert aviso["last_run"] is None
    assert aviso["next_run_at"].endswith("07:00:00-03:00")
    assert api.get(f"{API}tasks/{AVISO}").json()["name"] == AVISO
    assert api.get(f"{API}tasks/NaoExiste").status_code == 404


def test_run_now_as_of_a_day_returns_the_run_and_is_in_the_history(api, make_title):
    title = make_title(ledger=Ledger.RECEIVABLE, due_date=date(2026, 12, 10))
    response = api.post(f"{API}tasks/{AVISO}/run", {"as_of": "2026-12-09"}, format="json")
    assert response.status_code == 200, response.json()
    run = response.json()
    assert run["task"] == AVISO
    assert run["status"] == "ok"
    assert run["as_of"] == "2026-12-09"
    assert run["trigger"] == "api"
    assert run["counts"] == {"titulos": 1, "emails": 1}
    assert run["problems"] == [] and run["error"] == ""
    assert run["finished_at"]
    assert Message.objects.get(routine="aviso").titles.get() == title
    runs = api.get(f"{API}tasks/{AVISO}/runs").json()
    assert runs["count"] == 1 and runs["results"][0]["id"] == run["id"]
    assert api.get(f"{API}tasks/{AVISO}").json()["last_run"]["id"] == run["id"]


def test_run_without_as_of_uses_today_and_problems_make_it_partial(api, make_title, make_party):
    party = make_party()
    party.emails.all().delete()
    make_title(ledger=Ledger.RECEIVABLE, party=party, due_date=date(2026, 12, 10))
    with time_machine.travel(datetime(2026, 12, 9, 10, 0, tzinfo=SAO_PAULO), tick=False):
        run = api.post(f"{API}tasks/{AVISO}/run", format="json").json()
    assert run["as_of"] == "2026-12-09"
    assert run["status"] == "partial"
    assert len(run["problems"]) == 1 and "e-mail" in run["problems"][0]


def test_run_with_a_bad_date_is_a_field_error(api):
    response = api.post(f"{API}tasks/{AVISO}/run", {"as_of": "10/12/2026"}, format="json")
    assert response.status_code == 400
    assert "as_of" in response.json()
    assert not TaskRun.objects.exists()


def test_a_failing_run_answers_the_run_with_its_error(api, monkeypatch):
    from spysystem.routines import scheduler

    def boom(as_of):
        raise RuntimeError("banco fora do ar")

    monkeypatch.setattr(scheduler, "registry", lambda: {AVISO: boom, COBRANCA: boom})
    run = api.post(f"{API}tasks/{COBRANCA}/run", {}, format="json").json()
    assert run["status"] == "failed"
    assert run["error"] == "RuntimeError: banco fora do ar"


def test_runs_history_is_paged_newest_first(api):
    for day in ("2026-12-01", "2026-12-02", "2026-12-03"):
        api.post(f"{API}tasks/{COBRANCA}/run", {"as_of": day}, format="json")
    body = api.get(f"{API}tasks/{COBRANCA}/runs", {"limit": 2}).json()
    assert body["count"] == 3
    assert [r["as_of"] for r in body["results"]] == ["2026-12-03", "2026-12-02"]


def test_patch_changes_schedule_enabled_and_notify_users_and_is_audited(api, admin, make_user):
    joana = make_user("joana")
    response = api.patch(
        f"{API}tasks/{AVISO}",
        {"schedule": "30 6 * * 1-5", "enabled": False, "notify_users": [joana.pk]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["schedule"], body["enabled"], body["notify_users"]) == (
        "30 6 * * 1-5",
        False,
        [joana.pk],
    )
    assert body["next_run_at"] is None  # disabled
    change = SettingsChange.objects.get(area=f"tarefa:{AVISO}")
    assert (change.actor_label, change.origin) == ("controller", "api")


def test_bad_cron_is_refused_in_portuguese_and_nothing_changes(api):
    response = api.patch(f"{API}tasks/{AVISO}", {"schedule": "todo dia"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "schedule": ["Agenda inválida: use o formato cron, por exemplo “0 7 * * *”."]
    }
    assert Task.objects.get(name=AVISO).schedule == "0 7 * * *"


def test_unknown_notify_user_is_refused_and_nothing_changes(api):
    response = api.patch(
        f"{API}tasks/{AVISO}", {"enabled": False, "notify_users": [9999]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"notify_users": ["Usuário desconhecido."]}
    assert Task.objects.get(name=AVISO).enabled is True


def test_finance_staff_reads_tasks_but_cannot_change_or_run_them(role_api):
    client = role_api(role="finance")
    assert client.get(f"{API}tasks").status_code == 200
    response = client.post(f"{API}tasks/{AVISO}/run", {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Somente administradores podem alterar ou executar tarefas."
    assert client.patch(f"{API}tasks/{AVISO}", {"enabled": False}, format="json").status_code == 403
    assert not TaskRun.objects.exists()
