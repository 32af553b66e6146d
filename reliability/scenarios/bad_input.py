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
    result.notes.append("CSV/JSON imports not covered")
    result.passed = not problems
    return result
