"""How exceptions from services and the database become HTTP answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError

from spysystem.api.errors import exception_handler
from tests.api.conftest import API


def test_integrity_error_on_a_unique_field_is_400_in_portuguese():
    response = exception_handler(IntegrityError("UNIQUE constraint failed: x.cnpj"), {})
    assert response.status_code == 400
    assert response.data == {
        "non_field_errors": [
            "Já existe um registro com estes dados: um valor que deve ser único se repete."
        ]
    }


def test_other_integrity_error_is_400_with_a_generic_message():
    response = exception_handler(IntegrityError("CHECK constraint failed"), {})
    assert response.status_code == 400
    assert response.data == {
        "non_field_errors": ["Os dados violam uma restrição do banco de dados."]
    }


def test_validation_error_without_field_goes_under_non_field_errors():
    response = exception_handler(ValidationError("Algo está errado."), {})
    assert (response.status_code, response.data) == (
        400,
        {"non_field_errors": ["Algo está errado."]},
    )


def test_validation_error_of_the_whole_model_is_renamed_from_all():
    response = exception_handler(ValidationError({"__all__": ["Duplicado."], "a": ["Ruim."]}), {})
    assert response.data == {"non_field_errors": ["Duplicado."], "a": ["Ruim."]}


def test_protected_error_is_409():
    response = exception_handler(ProtectedError("protected", set()), {})
    assert response.status_code == 409


def test_unexpected_errors_are_left_to_django():
    assert exception_handler(RuntimeError("boom"), {}) is None


def test_malformed_json_is_400_in_portuguese(api):
    response = api.generic("POST", f"{API}companies", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "O corpo da requisição não é um JSON válido."}


def test_ids_beyond_64_bits_are_a_field_error_not_a_server_error(api):
    from tests.api.conftest import API

    huge = 2**70
    assert api.get(f"{API}titles/", {"company": huge}).status_code == 400
    response = api.post(f"{API}titles/boletos/resend/", {"titles": [huge]}, format="json")
    assert response.status_code == 400
