"""CPF and CNPJ, including the alphanumeric CNPJ format that starts in 2026."""

from hypothesis import given
from hypothesis import strategies as st

from spysystem.finance.documents import (
    cnpj_check_digits,
    format_document,
    is_valid_cnpj,
    is_valid_cpf,
    normalize,
)


def test_known_numeric_cnpj_is_valid_with_or_without_punctuation():
    assert is_valid_cnpj("11.222.333/0001-81")
    assert is_valid_cnpj("11222333000181")
    assert not is_valid_cnpj("11.222.333/0001-82")


def test_alphanumeric_cnpj_from_the_receita_federal_example_is_valid():
    # Example published by the Receita Federal for the new format: 12.ABC.345/01DE-35.
    assert is_valid_cnpj("12.ABC.345/01DE-35")
    assert is_valid_cnpj("12abc34501de35")
    assert not is_valid_cnpj("12.ABC.345/01DE-36")


def test_cnpj_check_digits_must_be_numeric_and_letters_uppercase_only():
    assert not is_valid_cnpj("12ABC34501DEA5")
    assert not is_valid_cnpj("12ABC34501D!35")


def test_repeated_digits_are_rejected():
    assert not is_valid_cnpj("00000000000000")
    assert not is_valid_cpf("11111111111")


def test_known_cpf():
    assert is_valid_cpf("529.982.247-25")
    assert not is_valid_cpf("529.982.247-26")


def test_format_document():
    assert format_document("52998224725") == "529.982.247-25"
    assert format_document("12ABC34501DE35") == "12.ABC.345/01DE-35"


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=12, max_size=12))
def test_any_base_with_its_check_digits_validates_and_one_flipped_digit_does_not(base):
    document = base + cnpj_check_digits(base)
    if len(set(document)) == 1:
        return
    assert is_valid_cnpj(document)
    wrong = document[:13] + str((int(document[13]) + 1) % 10)
    assert not is_valid_cnpj(wrong)
    assert normalize(format_document(document)) == document
