"""``spy boleto compute|parse|pdf|emit|resend`` and ``spy bank-account list|create|update``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from spysystem.boleto.febraban import barcode_to_line, build_barcode, format_line
from spysystem.cli import main
from spysystem.commands.boleto_fields import BANK_FIELDS, EXTRA_KEYS
from spysystem.finance.models import BankAccount, Ledger, TitleDocument
from spysystem.mail.models import Message
from spysystem.routines.models import Boleto
from tests.boleto.test_operations import ITAU_JSON
from tests.routines.test_boletos import account_for

# ITAU_JSON: brcobranca itau_spec.rb, carteira 109, due 20/05/2029 (after the 2025 rollover).
ITAU_OUT = {
    "bank": "341",
    "barcode": "34194254800006757871090001015271248021246000",
    "digitable_line": "34191.09008 01015.271248 80212.460002 4 25480000675787",
    "our_number": "109/00010152-7",
    "due_factor": "2548",
    "due_date": "2029-05-20",
    "amount": "6757.87",
    "free_field": "1090001015271248021246000",
}
# BoletoNetCore BancoSicrediCarteira1Tests.cs (also in tests/boleto/test_operations.py).
SICREDI_JSON = {
    "bank": "748",
    "agency": "0156",
    "agreement": "85305",
    "posto": "05",
    "year": "19",
    "our_number": "4",
    "due_date": "2015-01-04",
    "amount": "500",
    "reference_date": "2015-01-01",
}
ITAU_LINE = ITAU_OUT["digitable_line"]
PARSE_DAY = "2026-01-15"


def run(capsys, monkeypatch, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- compute ------------------------------------------------------------------------------------


def test_compute_one_object_prints_the_fields_of_the_issue(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "boleto", "compute", stdin=json.dumps(ITAU_JSON))
    assert (code, err) == (0, "")
    assert json.loads(out) == ITAU_OUT


def test_compute_a_list_answers_a_list_in_the_same_order(capsys, monkeypatch):
    stdin = json.dumps([ITAU_JSON, SICREDI_JSON])
    code, out, _ = run(capsys, monkeypatch, "boleto", "compute", stdin=stdin)
    assert code == 0
    itau, sicredi = json.loads(out)
    assert itau == ITAU_OUT
    assert sicredi["barcode"] == "74894629800000500001119200004801560585305103"
    assert sicredi["our_number"] == "19/200004-8"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"our_number": "123456789"}, "erro: our_number: Nosso número 123456789 longo demais"),
        ({"bank": "999"}, "erro: bank: Banco 999 não suportado"),
        ({"due_date": "20/05/2029"}, "erro: due_date: Data inválida em due_date"),
        ({"amount": 6757.87}, "erro: amount: Valor inválido em amount"),
        ({"wallet": ""}, "erro: wallet: Carteira é obrigatório para o Itaú."),
        ({"agency": "12a4"}, "erro: agency: Agência deve conter apenas números"),
        ({"psoto": "05"}, "erro: psoto: Campo desconhecido para o Itaú: psoto."),
        ({"agency": {"n": 1}}, "erro: agency: informe um texto"),
        ({"due_date": "2045-01-01"}, "erro: due_date: Vencimento 01/01/2045 fora da janela"),
    ],
)
def test_compute_bad_input_exits_2_naming_the_field_in_portuguese(
    change, expected, capsys, monkeypatch
):
    stdin = json.dumps({**ITAU_JSON, **change})
    code, out, err = run(capsys, monkeypatch, "boleto", "compute", stdin=stdin)
    assert (code, out) == (2, "")
    assert err.startswith(expected)


def test_compute_a_list_with_bad_items_names_each_index_and_prints_nothing(capsys, monkeypatch):
    items = [ITAU_JSON, {**ITAU_JSON, "our_number": ""}, SICREDI_JSON, {**SICREDI_JSON}]
    del items[3]["posto"]
    code, out, err = run(capsys, monkeypatch, "boleto", "compute", stdin=json.dumps(items))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "erro: item 1: our_number: Campo obrigatório ausente: our_number.",
        "erro: item 3: posto: Posto é obrigatório para o Sicredi.",
    ]


@pytest.mark.parametrize(
    ("stdin", "fragment"),
    [
        ("", "entrada vazia"),
        ("{bank: 341}", "JSON inválido na linha 1, coluna 2"),
        ("[]", "A lista está vazia."),
        ('"341"', "Esperado um objeto JSON"),
    ],
)
def test_compute_malformed_stdin_exits_2(stdin, fragment, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "boleto", "compute", stdin=stdin)
    assert (code, out) == (2, "")
    assert fragment in err


def _bank_errors() -> list[tuple[str, dict, str]]:
    """For each bank a valid object, and each field it needs blanked or spoilt."""
    base = {"due_date": "2027-03-10", "amount": "10.00", "reference_date": "2027-01-01"}
    valid = {
        "001": {"agreement": "1238798", "wallet": "18", "our_number": "7700168"},
        "033": {"agreement": "1899775", "wallet": "102", "our_number": "90002720"},
        "077": {"agreement": "0123456", "wallet": "110", "our_number": "458"},
        "104": {"agreement": "123456", "wallet": "1", "our_number": "6"},
        "237": {"agency": "1172", "account": "0403005", "wallet": "06", "our_number": "758"},
        "341": {"agency": "0810", "account": "53678", "wallet": "175", "our_number": "258281"},
        "748": {"agency": "0156", "agreement": "85305", "posto": "05", "our_number": "19200004"},
        "756": {"agency": "4277", "agreement": "172278", "our_number": "6"},
    }
    cases = []
    for bank, fields in valid.items():
        item = {"bank": bank, **base, **fields}
        for key in fields:
            spoilt = "x" if key in ("wallet",) else ""
            cases.append((bank, {**item, key: spoilt}, key))
        long_number = {"our_number": "9" * 18, **({"year": "19"} if bank == "748" else {})}
        cases.append((bank, {**item, **long_number}, "our_number"))
    return cases


@pytest.mark.parametrize(("bank", "item", "field"), _bank_errors())
def test_every_bank_error_names_its_json_key(bank, item, field, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "boleto", "compute", stdin=json.dumps(item))
    assert code == 2
    assert err.startswith(f"erro: {field}: "), err


def test_compute_help_documents_every_key_of_every_bank(capsys):
    with pytest.raises(SystemExit):
        main(["boleto", "compute", "--help"])
    out = capsys.readouterr().out
    for code, fields in BANK_FIELDS.items():
        assert f"  {code} " in out
        for key, _text in fields:
            assert f"    {key} " in out
    for key in ("barcode", "digitable_line", "our_number", "due_factor", "free_field"):
        assert f"  {key} " in out
    with open(os.path.join(os.path.dirname(__file__), "../../docs/boleto.md")) as handle:
        docs = handle.read()
    assert all(f"`{key}`" in docs for key in EXTRA_KEYS)


def _without_secrets(tmp_path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SPY_", "DJANGO_", "DATABASE_"))
    }
    # A database that cannot answer: compute and parse must not try it.
    env.update(DATABASE_URL="postgresql://nobody@127.0.0.1:9/none", SPY_VAR_DIR=str(tmp_path))
    return env


def test_compute_and_parse_run_without_secrets_database_or_django(tmp_path):
    script = (
        "import sys\n"
        "from spysystem.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print('django loaded' if 'django' in sys.modules else 'no django')\n"
        "sys.exit(code)\n"
    )
    env = _without_secrets(tmp_path)
    compute = subprocess.run(
        [sys.executable, "-c", script, "boleto", "compute"],
        input=json.dumps(ITAU_JSON),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert compute.returncode == 0, compute.stderr
    *body, marker = compute.stdout.splitlines()
    assert json.loads("\n".join(body)) == ITAU_OUT and marker == "no django"
    parse = subprocess.run(
        [sys.executable, "-c", script, "boleto", "parse", ITAU_LINE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert parse.returncode == 0, parse.stderr
    assert parse.stdout.splitlines()[-1] == "no django"
    worker = subprocess.run(  # the others still stop on the missing secrets
        [sys.executable, "-c", script, "recipients", "show"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 2 and "SPY_SECRET_KEY" in worker.stderr


# -- parse --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [ITAU_LINE],
        ITAU_LINE.split(),
        [ITAU_LINE.replace(".", "").replace(" ", "")],
        [ITAU_OUT["barcode"]],
    ],
    ids=["formatted", "several-args", "digits", "barcode"],
)
def test_parse_decodes_a_line_or_barcode(argv, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "boleto", "parse", *argv)
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "bank": "341",
        "bank_name": "Itaú",
        "amount": "6757.87",
        "due_date": "2029-05-20",
        "due_factor": "2548",
        "barcode": ITAU_OUT["barcode"],
        "digitable_line": ITAU_LINE,
        "free_field": ITAU_OUT["free_field"],
        "currency": "9",
    }


def test_parse_uses_the_reference_date_for_the_due_factor(capsys, monkeypatch):
    # Factor 2548 is 20/05/2029 today, and was 28/09/2004 for a boleto read in 2005.
    code, out, _ = run(
        capsys, monkeypatch, "boleto", "parse", ITAU_LINE, "--reference-date", "2005-01-01"
    )
    assert code == 0 and json.loads(out)["due_date"] == "2004-09-28"


def _line_of_bank(code: str) -> str:
    barcode = build_barcode(
        bank_code=code,
        due_date=date(2026, 3, 1),
        amount="10.00",
        free_field="1" * 25,
        reference=date(2026, 1, 1),
    )
    return format_line(barcode_to_line(barcode.barcode))


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        (ITAU_LINE[:-1] + "8", "Dígito verificador geral não confere"),
        ("34191.09008 01015.271249 80212.460002 4 25480000675787", "campo 2"),
        (ITAU_LINE.replace("3419", "34A9", 1), "apenas números"),
        (ITAU_LINE[:-2], "Tamanho inválido: 45 dígitos"),
        (_line_of_bank("422"), "Banco 422 não suportado"),
    ],
    ids=["check-digit", "field-digit", "non-digit", "length", "unknown-bank"],
)
def test_parse_bad_lines_exit_2_with_the_portuguese_message(line, fragment, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "boleto", "parse", line)
    assert (code, out) == (2, "")
    assert err.startswith("erro: ") and fragment in err


def test_parse_bad_reference_date_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as info:
        main(["boleto", "parse", ITAU_LINE, "--reference-date", "15/01/2026"])
    assert info.value.code == 2
    assert "use AAAA-MM-DD" in capsys.readouterr().err


# -- titles: pdf, emit, resend ------------------------------------------------------------------


@pytest.fixture
def receivable(make_title, make_company):
    def factory(company=None, **fields):
        company = company or make_company()
        if not BankAccount.objects.filter(company=company).exists():
            account_for(company)
        fields.setdefault("due_date", date(2027, 3, 10))
        return make_title(ledger=Ledger.RECEIVABLE, company=company, **fields)

    return factory


def test_pdf_writes_the_boleto_of_a_title(receivable, tmp_path, capsys, monkeypatch):
    title = receivable()
    target = tmp_path / "boleto.pdf"
    code, out, _ = run(capsys, monkeypatch, "boleto", "pdf", str(title.pk), "-o", str(target))
    assert code == 0
    assert target.read_bytes().startswith(b"%PDF")
    assert f"gravado em {target}" in out
    assert Boleto.objects.get().title == title


def test_pdf_to_stdout(receivable, capsysbinary):
    title = receivable()
    assert main(["boleto", "pdf", str(title.pk), "-o", "-"]) == 0
    assert capsysbinary.readouterr().out.startswith(b"%PDF")


def test_pdf_of_several_titles_allocates_nothing_when_one_fails(
    receivable, make_title, tmp_path, capsys, monkeypatch
):
    good, payable = receivable(), make_title(ledger=Ledger.PAYABLE)
    target = tmp_path / "boletos.pdf"
    argv = ("boleto", "pdf", str(good.pk), str(payable.pk), "-o", str(target))
    code, _, err = run(capsys, monkeypatch, *argv)
    assert code == 1 and "Boleto só existe para títulos a receber." in err
    assert not target.exists() and not Boleto.objects.exists()
    code, _, err = run(capsys, monkeypatch, "boleto", "pdf", "999999", "-o", str(target))
    assert code == 1 and "título(s) não encontrado(s): 999999" in err


def test_emit_prints_each_title_and_the_messages_queued(
    receivable, make_party, capsys, monkeypatch
):
    from spysystem.finance.services import party_update

    good = receivable(party=make_party(emails=["ana@example.com", "financeiro@example.com"]))
    silent = receivable()
    party_update(party=silent.party, emails=[])
    code, out, _ = run(capsys, monkeypatch, "boleto", "emit", str(good.pk), str(silent.pk))
    assert code == 1
    assert out.splitlines() == [
        f"título {good.pk} ({good.document}/1, {good.party.name}): OK",
        f"título {silent.pk} ({silent.document}/1, {silent.party.name}): erro: "
        f"{silent.party.name} não tem e-mail cadastrado.",
        "2 e-mail(s) na fila.",
    ]
    assert Message.objects.filter(routine="boleto").count() == 2
    code, out, _ = run(capsys, monkeypatch, "boleto", "emit", str(good.pk))
    assert code == 0 and out.splitlines()[-1] == "0 e-mail(s) na fila."


def test_resend_queues_new_messages_with_the_documents(receivable, capsys, monkeypatch):
    title = receivable()
    TitleDocument.objects.create(title=title, filename="nota.pdf", content=b"%PDF-1.4 nota")
    assert run(capsys, monkeypatch, "boleto", "emit", str(title.pk))[0] == 0
    code, out, _ = run(capsys, monkeypatch, "boleto", "resend", str(title.pk))
    assert code == 0
    assert out.splitlines()[-1] == "1 e-mail(s) na fila."
    resent = Message.objects.order_by("-id").first()
    assert sorted(a.filename for a in resent.attachments.all()) == [
        f"boleto-{title.document}-1.pdf",
        "nota.pdf",
    ]


# -- bank accounts ------------------------------------------------------------------------------

ITAU_ACCOUNT = [
    "--bank",
    "341",
    "--agency",
    "0057",
    "--account",
    "12345",
    "--account-dv",
    "7",
    "--wallet",
    "109",
    "--beneficiary-name",
    "Empresa Exemplo Ltda",
]


def _create(capsys, monkeypatch, company, *extra: str, document: str | None = None):
    argv = [
        "bank-account",
        "create",
        "--company",
        company.code,
        *ITAU_ACCOUNT,
        "--beneficiary-document",
        document or company.cnpj,
        *extra,
    ]
    return run(capsys, monkeypatch, *argv)


def test_bank_account_create_and_list(make_company, capsys, monkeypatch):
    company = make_company("E01")
    code, out, err = _create(capsys, monkeypatch, company, "--fine-percent", "2.00")
    assert (code, err) == (0, "")
    account = BankAccount.objects.get()
    assert out.strip() == (
        f"Conta bancária {account.pk} criada: banco 341, agência 0057, conta 12345 "
        "(padrão da empresa)."
    )
    assert account.is_default and account.fine_percent == Decimal("2.00")
    code, out, _ = run(capsys, monkeypatch, "bank-account", "list")
    header, _rule, row = out.splitlines()
    assert "próximo nosso número" in header and "campos do banco" in header
    assert row.split()[:6] == [str(account.pk), "E01", "341", "0057", "12345-7", "109"]


def test_a_new_default_account_replaces_the_old_one(make_company, capsys, monkeypatch):
    company = make_company()
    _create(capsys, monkeypatch, company)
    first = BankAccount.objects.get()
    assert _create(capsys, monkeypatch, company)[0] == 0  # not default: one exists
    second = BankAccount.objects.exclude(pk=first.pk).get()
    assert not second.is_default
    assert _create(capsys, monkeypatch, company, "--default")[0] == 0
    third = BankAccount.objects.order_by("-id").first()
    assert list(BankAccount.objects.filter(is_default=True)) == [third]


@pytest.mark.parametrize(
    ("extra", "document", "expected"),
    [
        (["--bank", "999"], None, "erro: --bank: Banco 999 não suportado"),
        ([], "11.111.111/0001-11", "erro: --beneficiary-document: CPF/CNPJ inválido"),
        (["--wallet", "1234"], None, "erro: --wallet: Carteira 1234 longo demais"),
        (["--extra", "posto=05"], None, "erro: --extra: Campo desconhecido para o banco 341"),
        (["--next-our-number", "123456789"], None, "erro: --next-our-number: Nosso número"),
    ],
)
def test_bank_account_create_refuses_bad_data_and_saves_nothing(
    extra, document, expected, make_company, capsys, monkeypatch
):
    company = make_company()
    code, out, err = _create(capsys, monkeypatch, company, *extra, document=document)
    assert (code, out) == (1, "")
    assert err.startswith(expected), err
    assert not BankAccount.objects.exists()


def test_bank_account_create_for_an_unknown_company(make_company, capsys, monkeypatch):
    argv = ["bank-account", "create", "--company", "NADA", *ITAU_ACCOUNT]
    argv += ["--beneficiary-document", make_company().cnpj]
    code, _, err = run(capsys, monkeypatch, *argv)
    assert code == 1 and "empresa com código 'NADA' não encontrada" in err
    assert not BankAccount.objects.exists()


def test_bank_account_create_sicredi_with_its_extras(make_company, capsys, monkeypatch):
    company = make_company()
    argv = [
        "bank-account",
        "create",
        "--company",
        company.code,
        "--bank",
        "748",
        "--agency",
        "0156",
        "--agreement",
        "85305",
        "--extra",
        "posto=05",
        "--extra",
        "year=26",
        "--beneficiary-name",
        company.name,
        "--beneficiary-document",
        company.cnpj,
    ]
    code, _, err = run(capsys, monkeypatch, *argv)
    assert (code, err) == (0, "")
    assert BankAccount.objects.get().extras == {"posto": "05", "year": "26"}


def test_bank_account_update_refuses_code_fields_once_boletos_exist(
    receivable, tmp_path, capsys, monkeypatch
):
    title = receivable()
    account = BankAccount.objects.get()
    code, out, _ = run(
        capsys, monkeypatch, "bank-account", "update", str(account.pk), "--wallet", "112"
    )
    assert code == 0 and "alterada" in out
    target = str(tmp_path / "b.pdf")
    assert run(capsys, monkeypatch, "boleto", "pdf", str(title.pk), "-o", target)[0] == 0
    code, _, err = run(
        capsys, monkeypatch, "bank-account", "update", str(account.pk), "--wallet", "109"
    )
    assert code == 1 and "--wallet: A conta já tem boletos emitidos" in err
    code, _, err = run(
        capsys, monkeypatch, "bank-account", "update", str(account.pk), "--next-our-number", "1"
    )
    assert code == 1 and "O nosso número 1 já foi emitido" in err
    account.refresh_from_db()
    assert account.wallet == "112" and account.next_our_number == 2
