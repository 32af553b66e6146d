"""The helper API the CLI and the routines call: compute from JSON, parse, bank-issued codes."""

from datetime import date
from decimal import Decimal

import pytest

from spysystem.boleto import BoletoError, compute_from_mapping, parse, validate_bank_issued

# External: klawdyo/boleto_parser README — a real line issued by Banco Inter, due 31/05/2022.
INTER_LINE = "07790.00116 12064.449908 08159.365561 7 90020000015130"
INTER_BARCODE = "07797900200000151300001112064449900815936556"
ISSUED = date(2022, 5, 1)

ITAU_JSON = {
    "bank": "341",
    "agency": "1248",
    "account": "02124",
    "wallet": "109",
    "our_number": "00010152",
    "due_date": "2029-05-20",
    "amount": "6757.87",
    "reference_date": "2026-01-15",
}


def test_compute_from_mapping_prints_the_cli_fields():
    # External: brcobranca itau_spec.rb, carteira 109 due 20/05/2029 (after the 2025 rollover).
    assert compute_from_mapping(ITAU_JSON).as_dict() == {
        "bank": "341",
        "barcode": "34194254800006757871090001015271248021246000",
        "digitable_line": "34191.09008 01015.271248 80212.460002 4 25480000675787",
        "our_number": "109/00010152-7",
        "due_factor": "2548",
        "due_date": "2029-05-20",
        "amount": "6757.87",
        "free_field": "1090001015271248021246000",
    }


def test_compute_from_mapping_passes_unknown_keys_as_bank_extras():
    result = compute_from_mapping(
        {
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
    )
    # External: BoletoNetCore BancoSicrediCarteira1Tests.cs.
    assert result.barcode.barcode == "74894629800000500001119200004801560585305103"
    assert result.account.extras == {"posto": "05", "year": "19"}


@pytest.mark.parametrize(
    ("change", "code", "fragment"),
    [
        ({"our_number": None}, "missing_field", "Campo obrigatório ausente: our_number."),
        ({"bank": ""}, "missing_field", "Campo obrigatório ausente: bank."),
        ({"due_date": "20/05/2029"}, "invalid_date", "use AAAA-MM-DD"),
        ({"amount": 6757.87}, "amount_invalid", "número decimal como texto"),
        ({"amount": "100000000.00"}, "amount_too_large", "acima do máximo"),
        ({"bank": "999"}, "unknown_bank", "Banco 999 não suportado"),
        ({"our_number": "123456789"}, "too_long", "no máximo 8 dígitos"),
        ({"due_date": "2045-01-01"}, "due_date_out_of_window", "fora da janela"),
    ],
)
def test_compute_from_mapping_reports_bad_input_in_portuguese(change, code, fragment):
    with pytest.raises(BoletoError) as error:
        compute_from_mapping({**ITAU_JSON, **change})
    assert error.value.code == code
    assert fragment in error.value.message


def test_compute_from_mapping_needs_an_object():
    with pytest.raises(BoletoError, match="objeto JSON"):
        compute_from_mapping(["not", "a", "mapping"])


def test_parse_uses_today_when_no_reference_is_given():
    # Factor 1000 is 22/02/2025 for any day from 2025 until 2033 or so.
    barcode = compute_from_mapping(
        {**ITAU_JSON, "due_date": "2025-02-22", "reference_date": None}
    ).barcode
    assert barcode.due_factor == "1000"
    assert parse(barcode.barcode).due_date == date(2025, 2, 22)


def test_bank_issued_codes_are_validated_and_kept_as_returned():
    for text in (INTER_LINE, INTER_BARCODE):
        barcode = validate_bank_issued(
            text,
            reference_date=ISSUED,
            expected_bank="77",
            expected_amount="151.30",
            expected_due_date=date(2022, 5, 31),
        )
        assert barcode.barcode == INTER_BARCODE
        assert barcode.formatted_line == INTER_LINE
        assert barcode.amount == Decimal("151.30")


@pytest.mark.parametrize(
    ("expectation", "code"),
    [
        ({"expected_bank": "341"}, "bank_mismatch"),
        ({"expected_amount": "151.31"}, "amount_mismatch"),
        ({"expected_due_date": date(2022, 6, 1)}, "due_date_mismatch"),
    ],
)
def test_bank_issued_codes_must_match_what_we_registered(expectation, code):
    with pytest.raises(BoletoError) as error:
        validate_bank_issued(INTER_LINE, reference_date=ISSUED, **expectation)
    assert error.value.code == code


def test_a_mistyped_bank_issued_line_is_refused():
    with pytest.raises(BoletoError) as error:
        validate_bank_issued(INTER_LINE.replace("12064", "12065"), reference_date=ISSUED)
    assert error.value.code == "field_check_digit"
