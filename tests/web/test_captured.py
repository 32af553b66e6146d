"""Caixa de captura (demo): what the capture SMTP server received, decoded."""

from email.message import EmailMessage

import pytest
from django.urls import reverse

from spysystem.mail.capture import captured_store


@pytest.fixture
def captured(transactional_db):
    """``captured_store`` closes stale connections like the server thread does, so no test
    transaction may be open around it."""
    message = EmailMessage()
    message["From"] = "Spy System <spy@empresa.com.br>"
    message["To"] = "ana@example.com"
    message["Subject"] = "Título alterado: NF-1/1 — R$ 1.500,00"
    message["Date"] = "Thu, 10 Dec 2026 14:30:00 -0300"
    message.set_content("Valor: R$ 1.000,00 → R$ 1.500,00\nQuem: auxiliar")
    message.add_alternative("<p><b>Valor</b> alterado</p><script>alert(1)</script>", subtype="html")
    return captured_store(
        mail_from="spy@empresa.com.br", recipients=["ana@example.com"], raw=message.as_bytes()
    )


def test_list_shows_the_decoded_subject_and_refreshes_itself(clerk_client, captured):
    response = clerk_client.get(reverse("mail:captured_list"))

    assert response.status_code == 200
    assert "Título alterado: NF-1/1 — R$ 1.500,00" in response.text
    assert "ana@example.com" in response.text
    assert '<meta http-equiv="refresh" content="5">' in response.text


def test_detail_shows_headers_plain_text_and_sandboxed_html(clerk_client, captured):
    response = clerk_client.get(reverse("mail:captured_detail", args=[captured.pk]))

    assert response.status_code == 200
    assert "Título alterado: NF-1/1 — R$ 1.500,00" in response.text
    assert "Spy System &lt;spy@empresa.com.br&gt;" in response.text
    assert "Valor: R$ 1.000,00 → R$ 1.500,00" in response.text
    assert "10/12/2026 14:30" in response.text
    assert 'sandbox=""' in response.text
    assert "<script>alert" not in response.text


def test_list_query_count_is_bounded(clerk_client, captured, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        clerk_client.get(reverse("mail:captured_list"))
