"""GEAtualizaCobranca: one consolidated e-mail per customer with every overdue title, updated."""

from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy

from spysystem.mail.models import Message
from spysystem.mail.services import switches_set
from spysystem.routines.cobranca import cobranca_run
from tests.conftest import drain
from tests.routines.test_boletos import account_for
from tests.smtp_sink import SmtpSink


def test_one_email_per_customer_with_all_overdue_titles_and_updated_amounts(
    make_company, make_party, receivable_for, general_smtp, sink
):
    company = make_company()
    account_for(company)  # fine 2 %, interest 1 % a month
    customer = make_party(emails=["devedor@cliente.com.br"])
    receivable_for(company, date(2026, 11, 20), party=customer, amount=Decimal("1000.00"))
    receivable_for(company, date(2026, 11, 27), party=customer, amount=Decimal("500.00"))
    receivable_for(company, date(2026, 12, 20), party=customer)  # not overdue
    counts, problems = cobranca_run(date(2026, 12, 4))
    assert counts == {"clientes": 1, "titulos": 2, "emails": 1} and problems == []
    drain()
    (received,) = sink.received
    body = (
        message_from_bytes(received.content, policy=policy.default)
        .get_body(("plain",))
        .get_content()
    )
    # 1000 + 20,00 fine + 1000 × 1 % × 14/30 = 4,67 → 1.024,67; 500 + 10 + 1,17 → 511,17
    assert "R$ 1.024,67" in body and "R$ 511,17" in body and "R$ 1.535,84" in body
    assert set(Message.objects.get().titles.values_list("due_date", flat=True)) == {
        date(2026, 11, 20),
        date(2026, 11, 27),
    }


def test_each_level_is_sent_once_per_overdue_episode(make_company, receivable_for):
    company = make_company()
    receivable_for(company, date(2026, 12, 1))
    for day in (2, 3, 4, 8, 9):
        cobranca_run(date(2026, 12, day))
    levels = sorted(
        int(key.split(":")[3]) for key in Message.objects.values_list("dedupe_key", flat=True)
    )
    assert levels == [1, 7]


def test_per_company_switch_splits_the_customer_and_picks_the_company_server(
    make_company, make_party, receivable_for, general_smtp, sink, company_smtp
):
    a, b = make_company("A"), make_company("B")
    customer = make_party(emails=["grupo@cliente.com.br"])
    receivable_for(a, date(2026, 11, 20), party=customer)
    receivable_for(b, date(2026, 11, 25), party=customer)
    company_sink = SmtpSink().start()
    try:
        company_smtp(a, company_sink)
        switches_set(use_spy_smtp=True)
        cobranca_run(date(2026, 12, 4))
        assert Message.objects.get().company_id is None  # one for the whole group
        switches_set(cobranca_por_empresa=True)
        cobranca_run(date(2026, 12, 4))
        drain()
    finally:
        company_sink.stop()
    assert Message.objects.filter(routine="cobranca").count() == 3
    assert len(company_sink.received) == 1  # company A's own server, now that the switch is on
    assert len(sink.received) == 2  # the group e-mail and company B's (no server of its own)


def test_days_overdue_are_counted_in_portuguese(make_company, make_party, receivable_for):
    company = make_company()
    customer = make_party()
    receivable_for(company, date(2026, 12, 3), party=customer)
    receivable_for(company, date(2026, 12, 2), party=customer)
    cobranca_run(date(2026, 12, 4))
    body = Message.objects.get(routine="cobranca").body_text
    assert "(1 dia)" in body and "(2 dias)" in body and "(1 dias)" not in body


def test_a_boleto_that_cannot_be_updated_is_left_out_and_the_collection_still_goes(
    make_company, make_party, receivable_for
):
    import time_machine

    from spysystem.finance.models import Title
    from spysystem.routines.boletos import boleto_issue

    company = make_company()
    account_for(company)
    customer, other = make_party(), make_party(emails=["outro@cliente.com.br"])
    with time_machine.travel(date(2026, 11, 1)):
        typo = receivable_for(company, date(2026, 11, 20), party=customer)
        fine = receivable_for(company, date(2026, 11, 22), party=customer)
        boleto_issue(title=typo)
        boleto_issue(title=fine)
    Title.objects.filter(pk=typo.pk).update(due_date=date(2012, 11, 20))  # 2012 for 2026
    receivable_for(company, date(2026, 11, 25), party=other)
    counts, problems = cobranca_run(date(2026, 12, 4))
    assert counts["clientes"] == 2
    (problem,) = problems
    assert f"{typo.document}/1" in problem and "sem o boleto" in problem
    message = Message.objects.get(party=customer)
    (attachment,) = message.attachments.all()
    assert attachment.filename == "boletos.pdf" and bytes(attachment.content)[:4] == b"%PDF"
    assert cobranca_run(date(2026, 12, 4)) == ({"clientes": 0, "titulos": 0, "emails": 0}, [])


def test_a_title_due_on_a_weekend_is_overdue_only_after_the_next_business_day(
    make_company, receivable_for
):
    company = make_company()
    account_for(company)
    receivable_for(company, date(2026, 12, 5))  # a Saturday: paid on Monday 7 without charges
    for day in (6, 7):
        assert cobranca_run(date(2026, 12, day))[0]["emails"] == 0
    counts, _problems = cobranca_run(date(2026, 12, 8))
    assert counts["emails"] == 1
    assert "(3 dias)" in Message.objects.get(routine="cobranca").body_text
