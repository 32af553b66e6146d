"""Garbage in every header-bound field and every typed field, through the API and the services:
each rejected with a message in Portuguese, nothing half-saved, nothing queued or sent."""

from __future__ import annotations

import json

from reliability import data
from reliability.common import Ctx, Result, reset_mail

CRLF = [
    "x@example.com\r\nBcc: vitima@example.com",
    "x@example.com\nBcc: vitima@example.com",
    "x@example.com%0d%0aBcc: vitima@example.com",
    "x@example.com\rBcc: vitima@example.com",
    "=?utf-8?q?x=0D=0ABcc:_vitima@example.com?=",
]
BAD_EMAILS = ["sem-arroba", "a@@example.com", "a@example", "a b@example.com", "<a@example.com>"]
INTERNATIONAL = ["joão@exemplo.com.br", "a@exemplo-ção.com.br"]
BAD_AMOUNTS = ["-5.00", "0", "1e30", "99999999999999999999.99", "abc", "NaN", "Infinity", "1.001"]
BAD_DATES = ["2026-02-30", "31/12/2026", "2026-13-01", "0000-01-01", "amanhã", "2026-12-10T25:00"]
IMPORT_HEADER = "empresa;carteira;pessoa;documento;vencimento;valor"


def _import_cases(company, party) -> list[tuple[str, dict]]:
    """Broken CSV and JSON files for ``POST /api/v1/titles/import``; each holds one good row too,
    so "nothing half-saved" is checked, not just "nothing saved"."""
    good = f"{company.code};pagar;{party.document};IMP-OK;10/12/2026;10,00"

    def csv_with(row: str) -> dict:
        return {"format": "csv", "content": f"{IMPORT_HEADER}\n{good}\n{row}\n"}

    cases = []
    for payload in CRLF:
        item = {"empresa": company.code, "carteira": "pagar", "pessoa": party.document}
        item |= {"documento": payload, "vencimento": "10/12/2026", "valor": "1,00"}
        cases.append((f"import json documento {payload[:12]!r}", {"rows": [item]}))
    # The importer reads Brazilian formats: "1.001" is R$ 1.001,00 and 31/12/2026 a date there.
    for amount in [a for a in BAD_AMOUNTS if a != "1.001"] + ["1,001", "R$ -3,00"]:
        cases.append(
            (
                f"import csv valor {amount}",
                csv_with(f"{company.code};pagar;{party.document};IMP-2;10/12/2026;{amount}"),
            )
        )
    for due in [d for d in BAD_DATES if d != "31/12/2026"] + ["31/02/2026", "12/31/2026"]:
        cases.append(
            (
                f"import csv vencimento {due}",
                csv_with(f"{company.code};pagar;{party.document};IMP-3;{due};1,00"),
            )
        )
    cases += [
        (
            "import csv unknown company",
            csv_with(f"ZZ;pagar;{party.document};IMP-4;10/12/2026;1,00"),
        ),
        (
            "import csv unknown person",
            csv_with(f"{company.code};pagar;11111111111;IMP-5;10/12/2026;1,00"),
        ),
        ("import csv short row", csv_with(f"{company.code};pagar")),
        ("import csv broken quote", csv_with(f'"{company.code};pagar;x;y;z;1')),
        ("import csv duplicate row", csv_with(good)),
        ("import csv unknown column", {"content": f"{IMPORT_HEADER};cor\n{good};azul\n"}),
        ("import csv no header", {"content": ""}),
        ("import csv NUL bytes", {"content": "\x00\x01"}),
        ("import json not a list", {"format": "json", "content": '{"a": 1}'}),
        ("import json NaN", {"format": "json", "content": '[{"valor": NaN}]'}),
        ("import json broken", {"format": "json", "content": "[{"}),
        ("import json nested", {"rows": [{"empresa": {"x": 1}}]}),
        ("import json unknown key", {"rows": [{"empresa": company.code, "cor": "azul"}]}),
    ]
    return cases


ENGLISH = ("This field", "Enter a valid", "Ensure ", "is not a valid", "must be", "A valid")


def _counts() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from spysystem.finance.models import Party, Title
    from spysystem.mail.models import Message, SmtpSettings

    return {
        "parties": Party.objects.count(),
        "titles": Title.objects.count(),
        "users": get_user_model().objects.count(),
        "smtp": SmtpSettings.objects.count(),
        "messages": Message.objects.count(),
    }


def _smtp_snapshot() -> list:
    from spysystem.mail.models import SmtpSettings

    return list(SmtpSettings.objects.order_by("pk").values("from_name", "from_email", "reply_to"))


def _import_service_checks(company, party, problems: list[str]) -> int:
    """The importer as the CLI and the screen call it, with bytes: bad encodings and sizes."""
    from spysystem.finance.imports import MAX_BYTES, titles_import

    row = f"{company.code};pagar;{party.document};IMP-9;10/12/2026;1,00"
    contents = {
        "binary garbage": bytes(range(256)) * 4,
        "huge file": (IMPORT_HEADER + "\n" + (row + "\n") * (MAX_BYTES // len(row) + 1)).encode(),
        "bad amount, cp1252": f"{IMPORT_HEADER}\n{row[:-4]}ção\n".encode("cp1252"),
    }
    for label, content in contents.items():
        result = titles_import(content=content, fmt="csv", user=None)
        messages = " ".join(map(str, result.errors))
        if result.ok:
            problems.append(f"service import accepted {label}")
        elif any(phrase in messages for phrase in ENGLISH):
            problems.append(f"service import {label}: {messages[:160]}")
    return len(contents)


def run(ctx: Ctx):
    from django.core.exceptions import ValidationError
    from django.test import Client

    from spysystem.finance import services as finance
    from spysystem.watch.context import Origin

    reset_mail()
    company = data.company(1)
    party = data.party()
    title = data.title(company)
    admin = data.user("badadmin", role="admin")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {data.token(admin)}", HTTP_HOST="localhost")
    valid_smtp = {
        "host": "127.0.0.1",
        "port": 2525,
        "security": "none",
        "from_email": "spy@empresa.com.br",
        "from_name": "Spy",
        "reply_to": "",
    }
    assert client.put("/api/v1/smtp/general", valid_smtp, "application/json").status_code == 200
    base_title = {
        "ledger": "payable",
        "company": company.pk,
        "party": party.pk,
        "document": "NF-BAD",
        "installment": 1,
        "issue_date": "2026-11-01",
        "due_date": "2026-12-10",
        "amount": "10.00",
    }
    cases: list[tuple[str, str, str, dict]] = []
    for payload in CRLF + BAD_EMAILS:
        cases.append(
            ("party emails", "patch", f"/api/v1/parties/{party.pk}", {"emails": [payload]})
        )
        cases.append(
            ("user email", "post", "/api/v1/users", {"username": "novo", "email": payload})
        )
        for field in ("from_email", "reply_to"):
            cases.append(
                (f"smtp {field}", "put", "/api/v1/smtp/general", {**valid_smtp, field: payload})
            )
    for payload in CRLF:
        for field in ("from_name", "host"):
            cases.append(
                (f"smtp {field}", "put", "/api/v1/smtp/general", {**valid_smtp, field: payload})
            )
    for payload in BAD_AMOUNTS:
        cases.append(("title amount", "post", "/api/v1/titles", {**base_title, "amount": payload}))
        cases.append(
            ("title amount (edit)", "patch", f"/api/v1/titles/{title.pk}", {"amount": payload})
        )
    for payload in BAD_DATES:
        cases.append(
            ("title due_date", "post", "/api/v1/titles", {**base_title, "due_date": payload})
        )
        cases.append(
            ("title due_date (edit)", "patch", f"/api/v1/titles/{title.pk}", {"due_date": payload})
        )

    for label, body in _import_cases(company, party):
        cases.append((label, "post", "/api/v1/titles/import", body))

    before, smtp_before = _counts(), _smtp_snapshot()
    emails_before = sorted(map(str, party.emails.all()))
    problems: list[str] = []
    checked = 0
    for label, method, url, body in cases:
        response = getattr(client, method)(url, json.dumps(body), "application/json")
        checked += 1
        text = response.content.decode(errors="replace")
        if response.status_code != 400:
            problems.append(
                f"{label} {body.get('emails') or ''} → {response.status_code} {text[:120]}"
            )
        elif any(phrase in text for phrase in ENGLISH) or len(text) < 10:
            problems.append(f"{label}: message not in Portuguese: {text[:160]}")
    # The same through the services (what screens, CLI and imports call).
    for payload in CRLF + BAD_EMAILS:
        for label, call in (
            (
                "party_create",
                lambda p=payload: finance.party_create(
                    name="X", document=party.document, emails=[p]
                ),
            ),
            ("user_create", lambda p=payload: finance.user_create(username="svc", email=p)),
        ):
            checked += 1
            try:
                call()
                problems.append(f"service {label} accepted {payload!r}")
            except ValidationError as exc:
                if any(phrase in " ".join(exc.messages) for phrase in ENGLISH):
                    problems.append(f"service {label}: {exc.messages}")
    for field, values in (("amount", BAD_AMOUNTS[:3]), ("due_date", BAD_DATES[:1])):
        for value in values:
            checked += 1
            try:
                finance.title_update(title=title, user=None, origin=Origin.SCREEN, **{field: value})
                problems.append(f"service title_update accepted {field}={value!r}")
            except (ValidationError, ValueError, TypeError) as exc:
                if isinstance(exc, ValidationError) and any(
                    p in " ".join(exc.messages) for p in ENGLISH
                ):
                    problems.append(f"service title_update {field}: {exc.messages}")
    checked += _import_service_checks(company, party, problems)
    party.refresh_from_db()
    if sorted(map(str, party.emails.all())) != emails_before:
        problems.append("party e-mails changed by rejected requests")
    intl = []
    for payload in INTERNATIONAL:
        response = client.patch(
            f"/api/v1/parties/{party.pk}", json.dumps({"emails": [payload]}), "application/json"
        )
        intl.append(f"{payload}: {response.status_code} {response.content.decode()[:120]}")
    after = _counts()
    after.pop("parties")
    before.pop("parties")  # the international addresses may be accepted (reported in details)
    if after != before:
        problems.append(f"rows changed: {before} → {after}")
    if _smtp_snapshot() != smtp_before:
        problems.append("SMTP settings changed by a rejected request")
    title.refresh_from_db()
    if str(title.amount) != "1000.00":
        problems.append(f"title amount half-saved: {title.amount}")
    result = Result(expected=0, delivered=0)
    result.details = {"cases": checked, "problems": problems, "international": intl}
    result.notes.append(f"{checked} bad inputs; {len(problems)} not rejected cleanly")
    if problems:
        result.notes.extend(problems[:8])
    result.passed = not problems
    return result
