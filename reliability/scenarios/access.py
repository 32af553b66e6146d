"""Personas of two companies and three roles against the screens and the API: who may read and
write what; CSRF enforced; the SMTP password never shown or logged; ``check --deploy`` with
production settings; the test send rate-limited."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys

from reliability import data
from reliability.common import Ctx, Result, reset_mail

SECRET = "Senha-SMTP-Ultra-Secreta-8f3a"  # noqa: S105
# Warnings of ``check --deploy`` that stay, explained in docs/reliability.md: HSTS for subdomains
# and preload are choices of the site owner, not of the product; the enum-name collision only
# changes generated names in the OpenAPI document.
EXPLAINED = {"security.W005", "security.W021", "drf_spectacular.W001"}


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:
            self.lines.append(str(record.msg))


def _check_deploy(ctx: Ctx) -> tuple[bool, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="spysystem.settings",
        SPY_SECRET_KEY="p" * 20 + "rod-Secret-Key-With-Enough-Entropy-9f8e7d6c5b4a3928171605",
        SPY_SECURE_COOKIES="1",
        SPY_HSTS_SECONDS="31536000",
        SPY_SSL_REDIRECT="1",
        SPY_ALLOWED_HOSTS="spy.empresa.com.br",
    )
    env.pop("SPY_DEBUG", None)
    env.pop("SPY_DEMO", None)
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = (done.stdout + done.stderr).strip()
    ids = set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", output))
    return not (ids - EXPLAINED) and done.returncode in (0, 1), output[-2500:]


def _import_row(title) -> dict[str, str]:
    return {
        "empresa": title.company.code,
        "carteira": title.ledger,
        "pessoa": title.party.document,
        "documento": title.document,
        "vencimento": title.due_date.isoformat(),
        "valor": "1234.56",
    }


def run(ctx: Ctx):
    from django.test import Client

    from spysystem.mail.services import smtp_settings_save

    reset_mail()
    a, b = data.company(1), data.company(2)
    title_a, title_b = data.title(a), data.title(b)
    people = {
        "admin": data.user("p_admin", role="admin"),
        "fin_a": data.user("p_fin_a", role="finance", companies=[a]),
        "ro_a": data.user("p_ro_a", role="readonly", companies=[a]),
        "fin_b": data.user("p_fin_b", role="finance", companies=[b]),
    }
    smtp_settings_save(
        level="general",
        host="127.0.0.1",
        port=1,
        security="none",
        username="spy",
        from_email="spy@empresa.com.br",
        password=SECRET,
    )
    capture = _Capture()
    logging.getLogger().addHandler(capture)
    logging.getLogger().setLevel(logging.DEBUG)
    problems: list[str] = []
    seen: list[str] = []
    checks = 0

    def expect(label: str, response, allowed: set[int]) -> None:
        nonlocal checks
        checks += 1
        body = response.content.decode(errors="replace")
        seen.append(body)
        if response.status_code not in allowed:
            problems.append(f"{label}: {response.status_code} not in {sorted(allowed)}")

    host = {"HTTP_HOST": "localhost"}
    screens = {
        "/titulos/": {"admin": 200, "fin_a": 200, "ro_a": 200, "fin_b": 200},
        f"/titulos/{title_a.pk}/": {"admin": 200, "fin_a": 200, "ro_a": 200, "fin_b": 404},
        f"/titulos/{title_b.pk}/": {"admin": 200, "fin_a": 404, "ro_a": 404, "fin_b": 200},
        f"/titulos/{title_a.pk}/editar/": {"admin": 200, "fin_a": 200, "ro_a": 403, "fin_b": 404},
        "/email/smtp/geral/": {"admin": 200, "fin_a": 403, "ro_a": 403, "fin_b": 403},
        "/configurador/usuarios/": {"admin": 200, "fin_a": 403, "ro_a": 403, "fin_b": 403},
        "/email/": {"admin": 200, "fin_a": 200, "ro_a": 200, "fin_b": 200},
        "/spy/": {"admin": 200, "fin_a": 403, "ro_a": 403, "fin_b": 403},
        "/titulos/importar/": {"admin": 200, "fin_a": 200, "ro_a": 403, "fin_b": 200},
    }
    api = {
        f"/api/v1/titles/{title_a.pk}": {"admin": 200, "fin_a": 200, "ro_a": 200, "fin_b": 404},
        "/api/v1/smtp/general": {"admin": 200, "fin_a": 403, "ro_a": 403, "fin_b": 403},
        # Reference data (users, companies): anyone reads, administrators write (api/access.py).
        "/api/v1/users": {"admin": 200, "fin_a": 200, "ro_a": 200, "fin_b": 200},
        "/api/v1/outbox": {"admin": 200, "fin_a": 200, "ro_a": 200, "fin_b": 200},
        "/api/v1/openapi.json": {"admin": 200, "fin_a": 200, "ro_a": 200, "fin_b": 200},
    }
    patch_title_a = {"admin": 200, "fin_a": 200, "ro_a": 403, "fin_b": 404}
    # An import naming company A: company B's clerk gets "empresa desconhecida" (400), no write.
    import_a = {"admin": 200, "fin_a": 200, "ro_a": 403, "fin_b": 400}
    import_body = json.dumps({"rows": [_import_row(title_a)], "dry_run": True})
    for name, person in people.items():
        client = Client(**host)
        client.force_login(person)
        for url, expected in screens.items():
            expect(f"{name} GET {url}", client.get(url), {expected[name]})
        anon = Client(**host).get(url)
        expect(f"anonymous GET {url}", anon, {302})
        api_client = Client(HTTP_AUTHORIZATION=f"Bearer {data.token(person)}", **host)
        for url, expected in api.items():
            expect(f"{name} API GET {url}", api_client.get(url), {expected[name]})
        response = api_client.patch(
            f"/api/v1/titles/{title_a.pk}", json.dumps({"amount": "1234.56"}), "application/json"
        )
        expect(f"{name} API PATCH title A", response, {patch_title_a[name]})
        response = api_client.post("/api/v1/titles/import", import_body, "application/json")
        expect(f"{name} API import into A", response, {import_a[name]})
        response = api_client.post(
            "/api/v1/users", json.dumps({"username": f"novo_{name}"}), "application/json"
        )
        expect(f"{name} API POST users", response, {201} if name == "admin" else {403})
    listed = Client(HTTP_AUTHORIZATION=f"Bearer {data.token(people['fin_b'])}", **host)
    titles_b = listed.get("/api/v1/titles").json()
    docs = {row["document"] for row in titles_b.get("results", titles_b)}
    checks += 1
    if title_a.document in docs:
        problems.append("fin_b lists a title of company A")
    expect("no token", Client(**host).get("/api/v1/titles"), {401, 403})
    # CSRF: a logged-in browser POST without the token is refused.
    csrf = Client(enforce_csrf_checks=True, **host)
    csrf.force_login(people["admin"])
    expect("POST without CSRF token", csrf.post(f"/titulos/{title_a.pk}/excluir/"), {403})
    # Test send: rate-limited (5 a minute per user).
    tester = Client(HTTP_AUTHORIZATION=f"Bearer {data.token(people['admin'])}", **host)
    codes = []
    for _ in range(7):
        response = tester.post(
            "/api/v1/smtp/test",
            json.dumps(
                {
                    "level": "general",
                    "host": "127.0.0.1",
                    "port": 1,
                    "security": "none",
                    "from_email": "spy@empresa.com.br",
                    "to": "alguem@example.com",
                }
            ),
            "application/json",
        )
        seen.append(response.content.decode(errors="replace"))
        codes.append(response.status_code)
    checks += 1
    if codes[-1] not in (429, 400, 403) or len(set(codes)) < 2:
        problems.append(f"test send not rate-limited: {codes}")
    logging.getLogger().removeHandler(capture)
    # The password: in no page, API response or log line (the worker's logs are in workdir).
    worker_logs = [p.read_text(errors="replace") for p in ctx.workdir.glob("*.log")]
    leaks = [i for i, text in enumerate(seen + capture.lines + worker_logs) if SECRET in text]
    checks += 1
    if leaks:
        problems.append(f"SMTP password found in {len(leaks)} responses/log lines")
    deploy_ok, deploy_out = _check_deploy(ctx)
    checks += 1
    if not deploy_ok:
        problems.append(f"check --deploy: {deploy_out[-600:]}")
    result = Result()
    result.details = {
        "checks": checks,
        "problems": problems,
        "test_send_codes": codes,
        "check_deploy": deploy_out,
        "responses_and_log_lines_scanned": len(seen) + len(capture.lines) + len(worker_logs),
    }
    result.notes.append(f"{checks} access checks, {len(problems)} problems; test send {codes}")
    result.notes.extend(problems[:8])
    result.passed = not problems
    return result
