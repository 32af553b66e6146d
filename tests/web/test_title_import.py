"""“Importar títulos”: Validar (dry run), Importar (all or nothing), errors per line, roles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from spysystem.finance.models import Title
from spysystem.watch.models import Change

URL = "/titulos/importar/"


@pytest.fixture
def party(make_company, make_party):
    make_company("E01")
    return make_party("Cliente A")


def upload(party, *, amount: str = "1.234,56", name: str = "titulos.csv") -> SimpleUploadedFile:
    text = (
        "empresa;carteira;pessoa;documento;vencimento;valor\n"
        f"E01;receber;{party.document};NF-1;10/12/2026;{amount}\n"
    )
    return SimpleUploadedFile(name, text.encode("cp1252"), content_type="text/csv")


def test_page_lists_the_columns_and_is_linked_from_the_titles(clerk_client):
    page = clerk_client.get(URL).content.decode()
    for column in ("empresa", "carteira", "pessoa", "vencimento", "valor", "situacao"):
        assert f"<code>{column}</code>" in page
    assert URL in clerk_client.get("/titulos/").content.decode()


def test_validar_writes_nothing_and_importar_writes(clerk_client, clerk_user, party):
    checked = clerk_client.post(URL, {"file": upload(party), "acao": "validar"})
    assert checked.status_code == 200
    assert "1 título(s) seriam criado(s)" in checked.content.decode()
    assert not Title.objects.exists()
    done = clerk_client.post(URL, {"file": upload(party), "acao": "importar"})
    assert "1 título(s) foram criado(s)" in done.content.decode()
    assert Title.objects.get().updated_by == clerk_user
    clerk_client.post(URL, {"file": upload(party, amount="99,00"), "acao": "importar"})
    assert Title.objects.get().amount == Decimal("99.00")
    assert Change.objects.get().origin == "import"


def test_errors_are_shown_per_line_and_nothing_is_saved(clerk_client, party):
    response = clerk_client.post(URL, {"file": upload(party, amount="-1"), "acao": "importar"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Importação recusada: 1 problema(s)" in page
    assert "<td>2</td><td>valor</td><td>O valor deve ser maior que zero.</td>" in page
    assert not Title.objects.exists()


def test_missing_file_is_a_form_error(clerk_client):
    response = clerk_client.post(URL, {"acao": "importar"})
    assert "Escolha o arquivo a importar." in response.content.decode()


def test_read_only_user_cannot_open_it(login, make_user):
    reader = login(make_user("leitor", role="readonly"))
    assert reader.get(URL).status_code == 403
