"""GEEnviaEmailAvisoVencimento: the right titles on the right days, once."""

from datetime import date
from decimal import Decimal

import time_machine

from spysystem.finance.models import Title
from spysystem.finance.services import party_update
from spysystem.mail.models import Message
from spysystem.mail.services import switches_set
from spysystem.routines.aviso import aviso_run
from spysystem.routines.models import CompanyRoutineSettings
from tests.conftest import drain
from tests.routines.test_boletos import account_for
from tests.smtp_sink import SmtpSink


def warned(as_of: date) -> set[tuple[int, int]]:
    aviso_run(as_of)
    return {
        (m.titles.get().pk, int(m.dedupe_key.split(":")[3]))
        for m in Message.objects.filter(routine="aviso")
    }


def test_warnings_go_out_5_1_and_0_days_before(make_company, receivable_for):
    company = make_company()
    title = receivable_for(company, date(2026, 12, 10))  # a Thursday
    assert warned(date(2026, 12, 3)) == set()
    # 10 − 5 = Saturday 5 → the warning goes on Friday 4; Saturday itself sends nothing.
    assert warned(date(2026, 12, 4)) == {(title.pk, 5)}
    Message.objects.all().delete()
    assert warned(date(2026, 12, 5)) == set()
    assert warned(date(2026, 12, 9)) == {(title.pk, 1)}
    assert warned(date(2026, 12, 10)) == {(title.pk, 1), (title.pk, 0)}


def test_a_warning_on_a_weekend_or_holiday_goes_on_the_previous_business_day(
    make_company, receivable_for
):
    company = make_company()
    monday = receivable_for(company, date(2026, 12, 28))
    # 28 - 1 = Sunday 27; 26 Saturday; 25 Christmas → Thursday 24.
    assert (monday.pk, 1) in warned(date(2026, 12, 24))


def test_a_warning_moved_back_says_the_days_really_left_and_comes_once_a_day(
    make_company, receivable_for
):
    company = make_company()
    saturday = receivable_for(company, date(2026, 12, 5))
    monday = receivable_for(company, date(2026, 12, 7))
    aviso_run(date(2026, 12, 4))  # a Friday: Saturday's and Sunday's warnings go out today
    subjects = {
        title.pk: list(Message.objects.filter(titles=title).values_list("subject", flat=True))
        for title in (saturday, monday)
    }
    assert len(subjects[saturday.pk]) == 1  # not "vence em 1 dia" and "vence hoje" together
    assert subjects[saturday.pk][0].startswith("Seu título vence em 1 dia:")
    assert subjects[monday.pk][0].startswith("Seu título vence em 3 dias:")


def test_turn_of_the_year_and_the_factor_rollover_date(make_company, receivable_for):
    company = make_company()
    account_for(company)
    new_year = receivable_for(company, date(2027, 1, 1))
    rollover = receivable_for(company, date(2025, 2, 22))
    assert (new_year.pk, 0) in warned(date(2026, 12, 31))
    with time_machine.travel(date(2025, 2, 21)):
        assert (rollover.pk, 0) in warned(date(2025, 2, 21))


def test_paid_cancelled_opted_out_and_payables_are_not_warned(
    make_company, receivable_for, make_title
):
    company = make_company()
    paid = receivable_for(company, date(2026, 12, 10), status="paid")
    cancelled = receivable_for(company, date(2026, 12, 10), status="cancelled")
    opted = receivable_for(company, date(2026, 12, 10))
    party_update(party=opted.party, name=opted.party.name)
    opted.party.aviso_opt_out = True
    opted.party.save()
    make_title(company=company, due_date=date(2026, 12, 10))  # a payable
    assert warned(date(2026, 12, 10)) == set()
    assert {paid.pk, cancelled.pk}.isdisjoint({t for t, _ in warned(date(2026, 12, 10))})


def test_running_twice_sends_once_and_a_moved_due_date_warns_again(make_company, receivable_for):
    company = make_company()
    title = receivable_for(company, date(2026, 12, 10))
    aviso_run(date(2026, 12, 10))
    aviso_run(date(2026, 12, 10))
    assert Message.objects.filter(routine="aviso").count() == 1
    Title.objects.filter(pk=title.pk).update(due_date=date(2026, 12, 11))
    aviso_run(date(2026, 12, 11))
    keys = sorted(Message.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == 2 and "2026-12-11" in keys[1]


def test_company_offsets_and_a_customer_without_email_is_listed(
    make_company, receivable_for, make_party
):
    company = make_company()
    CompanyRoutineSettings.objects.create(company=company, aviso_offsets=[3])
    silent = make_party(emails=["x@y.com.br"])
    party_update(party=silent, emails=[])
    receivable_for(company, date(2026, 12, 10), party=silent)
    title = receivable_for(company, date(2026, 12, 10))
    counts, problems = aviso_run(date(2026, 12, 7))
    assert counts["emails"] == 1 and Message.objects.get().titles.get() == title
    assert len(problems) == 1 and "não tem e-mail" in problems[0]


def test_aviso_uses_the_company_server_only_with_its_switch(
    make_company, receivable_for, general_smtp, sink, company_smtp
):
    company = make_company()
    company_sink = SmtpSink().start()
    try:
        company_smtp(company, company_sink)
        switches_set(use_spy_smtp=True)
        receivable_for(company, date(2026, 12, 10), amount=Decimal("10.00"))
        aviso_run(date(2026, 12, 10))
        drain()
        assert len(sink.received) == 1 and company_sink.received == []
        switches_set(aviso_por_empresa=True)
        receivable_for(company, date(2026, 12, 10))
        aviso_run(date(2026, 12, 10))
        drain()
        assert len(company_sink.received) == 1
        assert Message.objects.filter(smtp_level="company").count() == 1
    finally:
        company_sink.stop()
