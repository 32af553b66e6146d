"""GEEnviaEmailAvisoVencimento in bulk: chunks, few queries, one company's failure, boletos."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spysystem.finance.models import Title
from spysystem.mail.models import Message, MessageAttachment
from spysystem.routines import aviso
from spysystem.routines.aviso import aviso_run
from spysystem.routines.boletos import RoutineError, boleto_issue
from spysystem.routines.emails import RoutineRenderer, render_routine_email
from spysystem.routines.models import Boleto, RunStatus
from spysystem.routines.scheduler import task_run_now
from spysystem.routines.services import email_template_save
from tests.conftest import in_two_threads
from tests.routines.test_boletos import account_for

DAY = date(2026, 12, 10)  # a Thursday: the warnings of titles due today go out today
TASK = "GEEnviaEmailAvisoVencimento"


def failing_for(monkeypatch, *companies, after: int = 0):
    """Make the chunks of ``companies`` fail once their e-mails are inserted (the chunk's
    transaction must take them back), after ``after`` chunks went through."""
    real, done = aviso._chunk_run, []

    def chunk_run(shared, ids):
        outcome = real(shared, ids)
        if shared.company in companies:
            if len(done) >= after:
                raise RuntimeError("disco cheio")
            done.append(ids)
        return outcome

    monkeypatch.setattr(aviso, "_chunk_run", chunk_run)


def warned_titles() -> set[int]:
    return set(Message.titles.through.objects.values_list("title_id", flat=True))


def test_the_queries_do_not_grow_with_the_titles(make_company, receivable_for, monkeypatch):
    monkeypatch.setattr(aviso, "CHUNK", 100)
    company = make_company()
    counted = []
    for count in (3, 12):
        Message.objects.all().delete()
        for _ in range(count - len(counted) * 3):
            receivable_for(company, DAY)
        with CaptureQueriesContext(connection) as queries:
            counts, _problems = aviso_run(DAY)
        assert counts == {"titulos": count, "emails": count}
        counted.append(len(queries))
    assert counted[0] == counted[1]


def test_each_chunk_is_queued_with_one_call(make_company, receivable_for, monkeypatch):
    monkeypatch.setattr(aviso, "CHUNK", 2)
    company = make_company()
    titles = [receivable_for(company, DAY) for _ in range(5)]
    sizes, real = [], aviso.message_enqueue_many
    monkeypatch.setattr(aviso, "message_enqueue_many", lambda d: sizes.append(len(d)) or real(d))
    assert aviso_run(DAY)[0] == {"titulos": 5, "emails": 5}
    assert sizes == [2, 2, 1] and warned_titles() == {t.pk for t in titles}


@pytest.mark.django_db(transaction=True)
def test_a_failing_company_costs_the_others_none_of_their_warnings(
    make_company, receivable_for, monkeypatch
):
    monkeypatch.setattr(aviso, "CHUNK", 2)
    good, bad, other = make_company(), make_company(), make_company()
    titles = {c: [receivable_for(c, DAY) for _ in range(3)] for c in (good, bad, other)}
    failing_for(monkeypatch, bad, after=1)
    counts, problems = aviso_run(DAY)
    first_chunk = {t.pk for t in titles[bad][:2]}
    expected = {t.pk for t in titles[good] + titles[other]} | first_chunk
    assert warned_titles() == expected and counts["emails"] == 8
    assert len(problems) == 1 and bad.code in problems[0] and "disco cheio" in problems[0]
    monkeypatch.undo()
    assert aviso_run(DAY)[0] == {"titulos": 9, "emails": 1}  # the rest, once
    assert Message.objects.count() == 9


def test_the_run_history_records_counts_and_the_failed_company(
    make_company, receivable_for, monkeypatch
):
    good, bad = make_company(), make_company()
    receivable_for(good, DAY)
    receivable_for(bad, DAY)
    failing_for(monkeypatch, bad)
    run = task_run_now(name=TASK, as_of=DAY)
    assert run.status == RunStatus.PARTIAL and run.counts == {"titulos": 1, "emails": 1}
    assert bad.code in run.problems[0]


def test_when_every_company_fails_the_run_fails(make_company, receivable_for, monkeypatch):
    company = make_company()
    receivable_for(company, DAY)
    failing_for(monkeypatch, company)
    with pytest.raises(RuntimeError, match="disco cheio"):
        aviso_run(DAY)
    assert task_run_now(name=TASK, as_of=DAY).status == RunStatus.FAILED


def test_a_second_run_renders_nothing(make_company, receivable_for, monkeypatch):
    company = make_company()
    receivable_for(company, DAY)
    aviso_run(DAY)

    def render(self, context):
        raise AssertionError("rendered again")

    monkeypatch.setattr(RoutineRenderer, "render", render)
    assert aviso_run(DAY)[0] == {"titulos": 1, "emails": 0}


def test_the_boleto_is_attached_with_its_codes_brought_up_to_date(make_company, receivable_for):
    company = make_company()
    account_for(company)
    with_boleto, without = receivable_for(company, DAY), receivable_for(company, DAY)
    boleto_issue(title=with_boleto)
    Title.objects.filter(pk=with_boleto.pk).update(amount=Decimal("1234.56"))
    aviso_run(DAY)
    boleto = Boleto.objects.get()
    assert boleto.amount == Decimal("1234.56")
    message = Message.objects.get(titles=with_boleto)
    assert boleto.digitable_line in message.body_text and "R$ 1.234,56" in message.subject
    attachment = MessageAttachment.objects.get()
    assert attachment.message == message and bytes(attachment.content).startswith(b"%PDF")
    assert "Linha digitável" not in Message.objects.get(titles=without).body_text


def test_a_boleto_that_cannot_be_updated_skips_its_title_only(
    make_company, receivable_for, monkeypatch
):
    company = make_company()
    account_for(company)
    stale, fine = receivable_for(company, DAY), receivable_for(company, DAY)
    boleto_issue(title=stale)
    Title.objects.filter(pk=stale.pk).update(amount=Decimal("99.00"))

    def refuse(*, title):
        raise RoutineError("Valor acima do permitido pelo banco.")

    monkeypatch.setattr(aviso, "boleto_issue", refuse)
    counts, problems = aviso_run(DAY)
    assert warned_titles() == {fine.pk} and counts["emails"] == 1
    assert problems == [
        f"Título {stale.document}/1 não avisado: o boleto não pôde ser atualizado "
        "(Valor acima do permitido pelo banco.)."
    ]


@pytest.mark.parametrize("as_of", [date(2026, 12, 4), date(2026, 12, 9), DAY])  # offsets 5, 1, 0
def test_the_e_mail_is_what_rendering_each_title_alone_gave(
    make_company, receivable_for, make_party, as_of
):
    company = make_company(name="Irmãos & Filhos <Ltda>")
    account_for(company)
    party = make_party(name='Cliente "Aspas" & Cia', emails=["a@x.com.br", "b@x.com.br"])
    titles = [receivable_for(company, DAY, party=party, amount=Decimal(n)) for n in (7, 1500)]
    boleto = boleto_issue(title=titles[0])
    aviso_run(as_of)
    for title, title_boleto in zip(titles, [boleto, None], strict=True):
        expected = render_routine_email(
            routine="aviso",
            company_id=company.pk,
            template_dir=aviso.TEMPLATE_DIR,
            context=aviso._context(title, as_of, title_boleto),
        )
        messages = Message.objects.filter(titles=title).order_by("to_email")
        assert [m.to_email for m in messages] == ["a@x.com.br", "b@x.com.br"]
        for message in messages:
            assert (message.subject, message.body_text, message.body_html) == (
                expected.subject,
                expected.text,
                expected.html,
            )


def test_an_edited_template_sees_plain_values_only(make_company, receivable_for):
    company = make_company()
    email_template_save(
        routine="aviso",
        company=company,
        subject="Aviso {{ title.document }}",
        body_text="[{{ title.party }}][{{ party.emails }}][{{ company.smtp_settings }}]"
        "[{{ title.company_id }}]{{ party.name }}",
    )
    title = receivable_for(company, DAY)
    aviso_run(DAY)
    message = Message.objects.get()
    assert message.subject == f"Aviso {title.document}"
    assert message.body_text == f"[][][][]{title.party.name}"


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_queue_each_warning_once(make_company, receivable_for, monkeypatch):
    monkeypatch.setattr(aviso, "CHUNK", 3)
    companies = [make_company(), make_company()]
    titles = [receivable_for(c, DAY) for c in companies for _ in range(7)]
    results = in_two_threads(lambda: aviso_run(DAY))
    assert all(problems == [] for _counts, problems in results)
    assert sum(counts["emails"] for counts, _problems in results) == len(titles)
    assert Message.objects.count() == len(titles) and warned_titles() == {t.pk for t in titles}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_runs_racing_on_the_same_chunk_queue_it_once(make_company, receivable_for, monkeypatch):
    company = make_company()
    titles = [receivable_for(company, DAY) for _ in range(4)]
    barrier, seen, real = threading.Barrier(2, timeout=20), threading.local(), aviso.existing_keys

    def in_step(keys):  # both find nothing queued before either inserts
        found = real(keys)
        if not getattr(seen, "once", False):
            seen.once = True
            barrier.wait()
        return found

    monkeypatch.setattr(aviso, "existing_keys", in_step)
    results = [counts["emails"] for counts, _problems in in_two_threads(lambda: aviso_run(DAY))]
    assert sorted(results) == [0, len(titles)] and Message.objects.count() == len(titles)
