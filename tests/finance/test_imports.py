"""``finance.imports.titles_import``: CSV and JSON, all or nothing, errors per line in pt-BR."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from spysystem.finance.imports import MAX_ERRORS, titles_import
from spysystem.finance.models import Title, TitleStatus
from spysystem.watch.models import Change

HEADER = "empresa;carteira;pessoa;documento;parcela;emissao;vencimento;valor;situacao;descricao"


@pytest.fixture
def world(make_company, make_party):
    company = make_company("E01")
    other = make_company("E02")
    party = make_party("Cliente A")
    return company, other, party


def csv_of(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def line(party, **overrides) -> str:
    cells = {
        "empresa": "E01",
        "carteira": "receber",
        "pessoa": party.document,
        "documento": "NF-1",
        "parcela": "1",
        "emissao": "01/11/2026",
        "vencimento": "10/12/2026",
        "valor": "1.234,56",
        "situacao": "aberto",
        "descricao": "Venda",
    }
    cells.update(overrides)
    return ";".join(cells.values())


def test_csv_creates_titles_with_brazilian_formats(world):
    company, _other, party = world
    content = csv_of(line(party), line(party, documento="NF-2", parcela="2", valor="99,90"))
    result = titles_import(content=content, fmt="csv", user=None)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    first = Title.objects.get(document="NF-1")
    assert first.company == company and first.ledger == "receivable"
    assert first.amount == Decimal("1234.56") and first.due_date == date(2026, 12, 10)
    assert first.status == TitleStatus.OPEN and first.description == "Venda"
    assert Title.objects.get(document="NF-2").installment == 2
    assert "2 título(s) foram criado(s)" in result.summary()


def test_update_by_natural_key_is_captured_with_origin_import(world, make_user):
    _company, _other, party = world
    titles_import(content=csv_of(line(party)), fmt="csv", user=None)
    joana = make_user("joana")
    content = csv_of(line(party, valor="2.000,00", vencimento="2026-12-20"))
    result = titles_import(content=content, fmt="csv", user=joana)
    assert (result.created, result.updated) == (0, 1)
    title = Title.objects.get(document="NF-1")
    assert title.amount == Decimal("2000.00") and title.due_date == date(2026, 12, 20)
    change = Change.objects.get(title_id=title.pk)
    assert (change.origin, change.actor) == ("import", "joana")
    assert change.amount_changed and change.due_date_changed


@pytest.mark.parametrize("parcela", ["1.0", 1.0, "01"])
def test_a_parcela_written_otherwise_finds_the_stored_title(world, parcela):
    _company, _other, party = world
    titles_import(content=csv_of(line(party)), fmt="csv", user=None)
    row = dict(zip(HEADER.split(";"), line(party, vencimento="2026-12-20").split(";"), strict=True))
    row["parcela"] = parcela
    result = titles_import(content=json.dumps([row]), fmt="json", user=None)
    assert (result.created, result.updated) == (0, 1), result.errors
    assert Title.objects.get(document="NF-1").due_date == date(2026, 12, 20)


def test_same_file_twice_changes_nothing_the_second_time(world):
    _company, _other, party = world
    content = csv_of(line(party))
    titles_import(content=content, fmt="csv", user=None)
    result = titles_import(content=content, fmt="csv", user=None)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert not Change.objects.exists()


def test_one_broken_row_writes_nothing_and_reports_every_problem_with_its_line(world):
    _company, _other, party = world
    content = csv_of(
        line(party),
        line(party, documento="NF-2", valor="-5,00"),
        line(party, documento="NF-3", vencimento="31/02/2026"),
        line(party, documento="NF-4", empresa="XX"),
        line(party, documento="NF-5", pessoa="11111111111"),
        line(party, documento="NF-6", carteira="talvez"),
    )
    result = titles_import(content=content, fmt="csv", user=None)
    assert not result.ok
    assert not Title.objects.exists()
    where = {(error.line, error.column) for error in result.errors}
    assert where == {
        (3, "valor"),
        (4, "vencimento"),
        (5, "empresa"),
        (6, "pessoa"),
        (7, "carteira"),
    }
    text = " ".join(map(str, result.errors))
    assert "linha 3 [valor]: O valor deve ser maior que zero." in text
    assert "Data inválida" in text and "empresa desconhecida" in text
    assert "nada foi gravado" in result.summary()


def test_a_broken_row_rolls_back_updates_of_the_good_rows(world):
    _company, _other, party = world
    titles_import(content=csv_of(line(party)), fmt="csv", user=None)
    content = csv_of(line(party, valor="5.000,00"), line(party, documento="NF-2", valor="abc"))
    assert not titles_import(content=content, fmt="csv", user=None).ok
    assert Title.objects.get(document="NF-1").amount == Decimal("1234.56")
    assert not Change.objects.exists()


def test_header_injection_in_the_document_is_refused(world):
    _company, _other, party = world
    content = json.dumps(
        [
            {
                "empresa": "E01",
                "carteira": "pagar",
                "pessoa": party.document,
                "documento": "NF-1\r\nBcc: vitima@example.com",
                "vencimento": "10/12/2026",
                "valor": "10,00",
            }
        ]
    )
    result = titles_import(content=content, fmt="json", user=None)
    assert [(e.line, e.column) for e in result.errors] == [(1, "documento")]
    assert "quebras de linha" in result.errors[0].message
    assert not Title.objects.exists()


def test_json_list_or_object_with_numbers_and_accented_keys(world):
    _company, _other, party = world
    item = {
        "Empresa": "E01",
        "carteira": "Contas a pagar",
        "pessoa": party.document_display,
        "documento": "NF-9",
        "vencimento": "2026-12-10",
        "valor": 1234.5,
        "Situação": "Pago",
        "descrição": "Compra",
    }
    result = titles_import(content=json.dumps({"titulos": [item]}), fmt="json", user=None)
    assert result.ok, result.errors
    title = Title.objects.get()
    assert title.amount == Decimal("1234.50") and title.status == TitleStatus.PAID
    assert title.ledger == "payable" and title.issue_date is not None


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("", "vazio"),
        ("{not json", "JSON inválido"),
        ('{"a": 1}', "lista de títulos"),
        ("[1, 2]", "objeto"),
        ('[{"empresa": "E01", "extra": 1}]', "coluna desconhecida"),
        ('[{"empresa": {"x": 1}}]', "texto ou um número"),
        ('[{"valor": NaN}]', "JSON inválido"),
        ("[]", "nenhum título"),
    ],
)
def test_malformed_json_is_refused_in_portuguese(world, content, fragment):
    fmt = "csv" if content == "" else "json"
    result = titles_import(content=content, fmt=fmt, user=None)
    assert not result.ok
    assert fragment in " ".join(map(str, result.errors))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"empresa;carteira\nE01;pagar\n", "coluna obrigatória ausente"),
        (csv_of(header=HEADER + ";cor"), "coluna desconhecida"),
        (csv_of(header=HEADER + ";valor"), "coluna repetida"),
        (HEADER.encode() + b'\n"E01;pagar\n', "CSV malformado"),
        (HEADER.encode() + b"\nE01;pagar\n", "a linha tem 2 colunas; o cabeçalho tem 10"),
        (b"\x00\x01binary", "caracteres nulos"),
    ],
)
def test_malformed_csv_is_refused_in_portuguese(world, content, fragment):
    result = titles_import(content=content, fmt="csv", user=None)
    assert not result.ok
    assert fragment in " ".join(map(str, result.errors))
    assert not Title.objects.exists()


def test_windows_1252_file_from_excel_is_read(world):
    _company, _other, party = world
    content = csv_of(line(party, descricao="Serviço de manutenção")).decode().encode("cp1252")
    result = titles_import(content=content, fmt="csv", user=None)
    assert result.ok, result.errors
    assert Title.objects.get().description == "Serviço de manutenção"


def test_comma_separated_file_with_bom_and_partial_columns(world):
    _company, _other, party = world
    header = "empresa,carteira,pessoa,documento,vencimento,valor"
    content = ("\ufeff" + header + f"\nE01,pagar,{party.document},NF-1,10/12/2026,10.50\n").encode()
    result = titles_import(content=content, fmt="csv", user=None)
    assert result.ok, result.errors
    assert Title.objects.get().amount == Decimal("10.50")


def test_duplicate_rows_in_one_file_are_refused(world):
    _company, _other, party = world
    result = titles_import(content=csv_of(line(party), line(party)), fmt="csv", user=None)
    assert [(e.line, str(e.message)) for e in result.errors] == [(3, "repete o título da linha 2.")]


def test_user_may_import_only_into_companies_they_see(world, make_user):
    _company, other, party = world
    clerk = make_user("clerk", role="finance", company_ids=[other.pk])
    result = titles_import(content=csv_of(line(party)), fmt="csv", user=clerk)
    assert [(e.line, e.column) for e in result.errors] == [(2, "empresa")]
    ok = titles_import(content=csv_of(line(party, empresa="E02")), fmt="csv", user=clerk)
    assert ok.ok and Title.objects.get().company == other


def test_dry_run_counts_without_writing(world):
    _company, _other, party = world
    result = titles_import(content=csv_of(line(party)), fmt="csv", user=None, dry_run=True)
    assert result.ok and result.created == 1
    assert "seriam criado(s)" in result.summary()
    assert not Title.objects.exists()


def test_errors_are_capped_but_counted(world):
    _company, _other, party = world
    rows = [line(party, documento=f"NF-{n}", valor="x") for n in range(MAX_ERRORS + 50)]
    result = titles_import(content=csv_of(*rows), fmt="csv", user=None)
    assert len(result.errors) == MAX_ERRORS and result.error_count == MAX_ERRORS + 50
    assert f"{MAX_ERRORS + 50} problema(s)" in result.summary()


def test_unknown_format_and_oversized_file(world, monkeypatch):
    assert "formato desconhecido" in str(titles_import(content=b"", fmt="xml", user=None).errors[0])
    monkeypatch.setattr("spysystem.finance.imports.MAX_BYTES", 10)
    result = titles_import(content=b"x" * 11, fmt="csv", user=None)
    assert "grande demais" in str(result.errors[0])
