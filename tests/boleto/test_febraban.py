"""The FEBRABAN core: due factor with the 2025 rollover, amount, barcode and linha digitável."""

from datetime import date
from decimal import Decimal

import pytest

from spysystem.boleto import BoletoError
from spysystem.boleto.febraban import (
    MAX_AMOUNT,
    barcode_to_line,
    build_barcode,
    due_date_from_factor,
    due_factor,
    encode_amount,
    format_line,
    line_to_barcode,
    parse,
    to_amount,
    valid_window,
)
from tests.boleto import reference

TODAY = date(2026, 1, 15)

# External: kivanio/brcobranca spec/brcobranca/boleto/banco_brasil_spec.rb (convênio of 7 digits).
BB_BARCODE = "00193377100000135000000001238798777770016818"
BB_LINE = "00190.00009 01238.798779 77700.168188 3 37710000013500"
# External: kivanio/brcobranca spec/brcobranca/boleto/itau_spec.rb, due 20/05/2029 (after 2025).
ITAU_2029_BARCODE = "34194254800006757871090001015271248021246000"
ITAU_2029_LINE = "34191.09008 01015.271248 80212.460002 4 25480000675787"


@pytest.mark.parametrize(
    ("day", "factor"),
    [
        # External: FEBRABAN "Manual Operacional do Fator de Vencimento" (2012) examples.
        (date(2000, 7, 3), "1000"),
        (date(2000, 7, 4), "1001"),
        (date(2012, 4, 27), "5316"),
        (date(2025, 2, 20), "9998"),
        (date(2025, 2, 21), "9999"),
        # External: kivanio/brcobranca spec/brcobranca/calculo_data_spec.rb.
        (date(2008, 2, 1), "3769"),
        (date(2010, 11, 17), "4789"),
        (date(2025, 2, 22), "1000"),
        (date(2025, 2, 23), "1001"),
        # External: brcobranca itau_spec.rb, Itaú boleto due 20/05/2029.
        (date(2029, 5, 20), "2548"),
    ],
)
def test_due_factor_matches_published_values_across_the_2025_rollover(day, factor):
    assert due_factor(day) == factor
    assert int(factor) == reference.factor_of(day)


def test_factor_9999_and_1000_are_consecutive_days():
    assert due_date_from_factor("9999", reference=date(2025, 2, 1)) == date(2025, 2, 21)
    assert due_date_from_factor("1000", reference=date(2025, 2, 1)) == date(2025, 2, 22)


def test_decoding_picks_the_date_inside_the_window_of_the_reference():
    # 3769 meant 01/02/2008 then; seen from 2026 it is the same factor of the second cycle.
    assert due_date_from_factor("3769", reference=date(2008, 1, 1)) == date(2008, 2, 1)
    assert due_date_from_factor("3769", reference=TODAY) == date(2032, 9, 22)
    assert reference.factor_of(date(2032, 9, 22)) == 3769
    # External: klawdyo/boleto_parser README, a real Inter boleto with factor 9002 = 31/05/2022.
    assert due_date_from_factor("9002", reference=TODAY) == date(2022, 5, 31)


def test_window_is_3000_days_back_and_5500_ahead():
    first, last = valid_window(TODAY)
    assert (TODAY - first).days == 3000
    assert (last - TODAY).days == 5500


def test_factor_outside_the_window_is_a_clear_error():
    # From 15/01/2026 the window is 29/10/2017-05/02/2041; factor 7000 is 2017-02 or 2041-07.
    with pytest.raises(BoletoError) as error:
        due_date_from_factor("7000", reference=TODAY)
    assert error.value.code == "due_date_out_of_window"
    assert "não corresponde a nenhuma data aceita" in error.value.message


def test_factor_0000_means_no_due_date():
    assert due_date_from_factor("0000", reference=TODAY) is None
    body = "0019" + "0000" + "0000012345" + "0" * 25
    barcode = body[:4] + reference.general_digit(body) + body[4:]
    parsed = parse(barcode, reference=TODAY)
    assert parsed.due_date is None
    assert parsed.amount == Decimal("123.45")


def test_old_factors_below_1000_are_refused():
    with pytest.raises(BoletoError, match="de 1000 a 9999"):
        due_date_from_factor("0999", reference=TODAY)


def test_building_refuses_due_dates_outside_the_window():
    for due in (date(2017, 1, 1), date(2041, 6, 1)):
        with pytest.raises(BoletoError) as error:
            build_barcode(
                bank_code="001", due_date=due, amount="1", free_field="0" * 25, reference=TODAY
            )
        assert error.value.code == "due_date_out_of_window"
        assert "fora da janela aceita pela FEBRABAN" in error.value.message


def test_due_dates_before_july_2000_have_no_factor():
    with pytest.raises(BoletoError, match="não há fator de vencimento"):
        due_factor(date(2000, 7, 2))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.56"), "0000123456"),
        ("0.01", "0000000001"),
        (0, "0000000000"),
        ("99999999.99", "9999999999"),
        (Decimal("10.5"), "0000001050"),
    ],
)
def test_amount_field_is_ten_digits_of_cents(value, expected):
    assert encode_amount(value) == expected


def test_amount_above_the_ten_digit_field_is_a_clear_error():
    with pytest.raises(BoletoError) as error:
        to_amount(MAX_AMOUNT + Decimal("0.01"))
    assert error.value.code == "amount_too_large"
    assert error.value.message == (
        "Valor R$ 100.000.000,00 acima do máximo que cabe no código de barras (R$ 99.999.999,99)."
    )


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-1.00", "amount_negative"),
        ("10.005", "amount_precision"),
        ("abc", "amount_invalid"),
        ("NaN", "amount_invalid"),
        (10.5, "amount_invalid"),
        (True, "amount_invalid"),
    ],
)
def test_bad_amounts_are_refused_in_portuguese(value, code):
    with pytest.raises(BoletoError) as error:
        to_amount(value)
    assert error.value.code == code
    assert error.value.message.startswith(("Valor", "O valor"))


def test_line_and_barcode_convert_both_ways_on_a_published_example():
    digits = BB_LINE.replace(".", "").replace(" ", "")
    assert barcode_to_line(BB_BARCODE) == digits
    assert line_to_barcode(digits) == BB_BARCODE
    assert format_line(digits) == BB_LINE
    assert reference.line_of(BB_BARCODE) == digits


def test_parse_accepts_line_with_or_without_separators_and_the_barcode():
    for text in (BB_LINE, BB_LINE.replace(".", "").replace(" ", ""), f"  {BB_LINE}\n", BB_BARCODE):
        parsed = parse(text, reference=date(2008, 1, 1))
        assert parsed.barcode == BB_BARCODE
        assert parsed.bank_code == "001"
        assert parsed.amount == Decimal("135.00")
        assert parsed.due_date == date(2008, 2, 3)
        assert parsed.free_field == "0000001238798777770016818"
        assert parsed.formatted_line == BB_LINE


def test_parse_decodes_a_post_rollover_due_date():
    parsed = parse(ITAU_2029_LINE, reference=TODAY)
    assert parsed.barcode == ITAU_2029_BARCODE
    assert parsed.due_date == date(2029, 5, 20)
    assert parsed.due_factor == "2548"
    assert parsed.amount == Decimal("6757.87")


def test_as_dict_is_json_ready():
    assert parse(BB_BARCODE, reference=date(2008, 1, 1)).as_dict() == {
        "barcode": BB_BARCODE,
        "digitable_line": BB_LINE,
        "bank": "001",
        "currency": "9",
        "due_factor": "3771",
        "due_date": "2008-02-03",
        "amount": "135.00",
        "free_field": "0000001238798777770016818",
    }


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("", "empty", "Informe a linha digitável"),
        ("0019X.00009 01238.798779", "invalid_characters", "apenas números"),
        ("00190000090123879877", "invalid_length", "Tamanho inválido: 20 dígitos"),
        (BB_LINE.replace("00190.00009", "00190.00008"), "field_check_digit", "campo 1"),
        (BB_LINE.replace("01238.798779", "01238.798778"), "field_check_digit", "campo 2"),
        (BB_LINE.replace("77700.168188", "77700.168187"), "field_check_digit", "campo 3"),
        (BB_LINE.replace(" 3 ", " 4 "), "check_digit", "Dígito verificador geral"),
        (BB_BARCODE[:4] + "4" + BB_BARCODE[5:], "check_digit", "Dígito verificador geral"),
        ("8" * 48, "utility_bill", "arrecadação"),
    ],
)
def test_bad_lines_fail_with_a_portuguese_message(text, code, fragment):
    with pytest.raises(BoletoError) as error:
        parse(text, reference=date(2008, 1, 1))
    assert error.value.code == code
    assert fragment in error.value.message
    assert str(error.value) == error.value.message


def test_currency_other_than_real_is_refused():
    body = "0010" + "3771" + "0000013500" + "0000001238798777770016818"
    barcode = body[:4] + reference.general_digit(body) + body[4:]
    with pytest.raises(BoletoError, match="somente 9"):
        parse(barcode, reference=date(2008, 1, 1))


def test_build_barcode_checks_its_parts():
    with pytest.raises(BoletoError, match="3 dígitos"):
        build_barcode(bank_code="1", due_date=TODAY, amount=1, free_field="0" * 25, reference=TODAY)
    with pytest.raises(BoletoError, match="25 dígitos"):
        build_barcode(bank_code="001", due_date=TODAY, amount=1, free_field="0", reference=TODAY)
