"""The boleto routines: allocation without gaps or repeats, PDFs, e-mails through the outbox."""

import shutil
import subprocess
import threading
from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from django.db import connections

from spysystem import boleto as core
from spysystem.finance.models import BankAccount, Ledger, Title, TitleDocument
from spysystem.mail.models import Message
from spysystem.routines.boletos import (
    RoutineError,
    boleto_email_enqueue,
    boleto_issue,
    boletos_emit,
    boletos_pdf,
    boletos_resend,
)
from spysystem.routines.models import Boleto
from tests.conftest import drain


def account_for(company, **fields) -> BankAccount:
    values = {
        "company": company,
        "bank_code": "341",
        "agency": "0057",
        "account": "12345",
        "account_dv": "7",
        "wallet": "109",
        "beneficiary_name": company.name,
        "beneficiary_document": company.cnpj,
        "fine_percent": Decimal("2.00"),
        "interest_month_percent": Decimal("1.00"),
    }
    values.update(fields)
    return BankAccount.objects.create(**values)


@pytest.fixture
def receivable(make_title, make_company):
    def factory(company=None, **fields):
        company = company or make_company()
        if not BankAccount.objects.filter(company=company).exists():
            account_for(company)
        return make_title(
            ledger=Ledger.RECEIVABLE, company=company, due_date=date(2027, 3, 10), **fields
        )

    return factory


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def test_issue_allocates_consecutive_numbers_and_valid_codes(receivable, make_company):
    company = make_company()
    first, second = receivable(company), receivable(company)
    a, b = boleto_issue(title=first), boleto_issue(title=second)
    assert (a.our_number, b.our_number) == (1, 2)
    assert BankAccount.objects.get(company=company).next_our_number == 3
    parsed = core.parse(a.digitable_line)
    assert parsed.barcode == a.barcode and parsed.amount == first.amount
    assert parsed.due_date == date(2027, 3, 10) and parsed.bank_code == "341"
    assert boleto_issue(title=first).pk == a.pk  # issuing again returns the same boleto


def test_a_changed_amount_recomputes_the_codes_with_the_same_number(receivable):
    title = receivable()
    original = boleto_issue(title=title)
    Title.objects.filter(pk=title.pk).update(amount=Decimal("2500.00"))
    title.refresh_from_db()
    updated = boleto_issue(title=title)
    assert updated.our_number == original.our_number
    assert core.parse(updated.barcode).amount == Decimal("2500.00")


def test_bad_titles_are_refused_and_allocate_nothing(
    receivable, make_party, make_title, make_company
):
    from spysystem.finance.services import party_update

    title = receivable()
    party_update(party=title.party, emails=[])
    with pytest.raises(RoutineError, match="não tem e-mail"):
        boleto_email_enqueue(title=title)
    payable = make_title(ledger=Ledger.PAYABLE)
    with pytest.raises(RoutineError, match="a receber"):
        boleto_issue(title=payable)
    no_account = make_title(ledger=Ledger.RECEIVABLE, company=make_company())
    with pytest.raises(RoutineError, match="conta bancária"):
        boleto_issue(title=no_account)
    assert not Boleto.objects.exists() and not Message.objects.exists()
    assert BankAccount.objects.get().next_our_number == 1


def test_a_nosso_numero_too_long_for_the_bank_is_a_clear_error(receivable, make_company):
    company = make_company()
    account_for(company, next_our_number=10**9)
    with pytest.raises(RoutineError) as info:
        boleto_issue(title=receivable(company))
    assert "nosso número" in info.value.message.lower()
    assert BankAccount.objects.get().next_our_number == 10**9


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed"
)
def test_emitir_boletos_for_200_titles_of_two_companies(receivable, make_company, make_party):
    companies = [make_company(), make_company()]
    titles = [
        receivable(
            companies[i % 2],
            party=make_party(emails=[f"cliente{i}@example.com"]),
            amount=Decimal(100 + i),
        )
        for i in range(200)
    ]
    result = boletos_emit(titles=titles)
    assert result.errors == [] and result.queued == 200
    numbers = list(Boleto.objects.values_list("bank_account_id", "our_number"))
    assert len(numbers) == len(set(numbers)) == 200
    for company in companies:  # no gaps: 1..100 in each company's account
        assert sorted(
            Boleto.objects.filter(title__company=company).values_list("our_number", flat=True)
        ) == list(range(1, 101))
    for message in Message.objects.prefetch_related("attachments").order_by("id")[::20]:
        boleto = Boleto.objects.get(title__party__emails__email=message.to_email)
        (attachment,) = message.attachments.all()
        assert boleto.digitable_line in pdf_text(bytes(attachment.content))
    assert boletos_emit(titles=titles[:5]).queued == 0  # emitting again sends nothing new


def test_resend_queues_new_messages_with_the_title_documents(receivable, general_smtp, sink):
    title = receivable()
    TitleDocument.objects.create(title=title, filename="nota-123.pdf", content=b"%PDF-1.4 nota")
    boleto_email_enqueue(title=title)
    result = boletos_resend(titles=[title])
    assert result.queued == 1
    drain()
    assert len(sink.received) == 2
    parsed = [message_from_bytes(r.content, policy=policy.default) for r in sink.received]
    first, resent = sorted(parsed, key=lambda m: len(list(m.iter_attachments())))
    names = sorted(part.get_filename() for part in resent.iter_attachments())
    assert names == [f"boleto-{title.document}-1.pdf", "nota-123.pdf"]
    assert "Boleto" in resent["Subject"] and "R$ 1.000,00" in resent["Subject"]
    (pdf,) = list(first.iter_attachments())
    assert pdf.get_content().startswith(b"%PDF")


def test_print_several_boletos_in_one_pdf(receivable):
    pdf = boletos_pdf(titles=[receivable(), receivable()])
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = pdf_text(pdf)
        assert all(b.digitable_line in text for b in Boleto.objects.all())


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_repeat_a_number(receivable, make_company):
    company = make_company()
    titles = [receivable(company) for _ in range(30)]
    errors = []

    def issue(chunk):
        try:
            for title in chunk:
                boleto_issue(title=title)
        except Exception as exc:  # collected: any failure is a finding
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(titles[i::3],)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(Boleto.objects.values_list("our_number", flat=True))
    assert numbers == list(range(1, 31))


def test_boleto_emails_follow_the_hierarchy_to_the_company_server(
    receivable, make_company, general_smtp, sink
):
    from spysystem.mail.services import smtp_settings_save, switches_set
    from tests.smtp_sink import SmtpSink

    company = make_company()
    own = SmtpSink().start()
    try:
        smtp_settings_save(
            level="company",
            company=company,
            host="127.0.0.1",
            port=own.port,
            security="none",
            from_email="cobranca@empresa.com.br",
            max_per_minute=10000,
        )
        boleto_email_enqueue(title=receivable(company))
        drain()
        assert len(sink.received) == 1 and own.received == []  # switch off: the general level
        switches_set(use_spy_smtp=True)
        boletos_resend(titles=[Title.objects.get()])
        drain()
        assert len(own.received) == 1  # boletos may always use the company's own server
    finally:
        own.stop()
    assert sorted(Message.objects.values_list("smtp_level", flat=True)) == ["company", "general"]
