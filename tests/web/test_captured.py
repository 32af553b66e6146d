"""Caixa de captura (demo): what the capture SMTP server received, decoded.

Administrators see every captured message; anyone else only the messages addressed to their own
e-mail (it is their mailbox in the demo), so a user limited to one company cannot read another
company's mail there.
"""

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


def test_list_shows_the_decoded_subject_and_refreshes_itself(staff_client, captured):
    response = staff_client.get(reverse("mail:captured_list"))

    assert response.status_code == 200
    assert "Título alterado: NF-1/1 — R$ 1.500,00" in response.text
    assert "ana@example.com" in response.text
    assert '<meta http-equiv="refresh" content="5">' in response.text


def test_detail_shows_headers_plain_text_and_sandboxed_html(staff_client, captured):
    response = staff_client.get(reverse("mail:captured_detail", args=[captured.pk]))

    assert response.status_code == 200
    assert "Título alterado: NF-1/1 — R$ 1.500,00" in response.text
    assert "Spy System &lt;spy@empresa.com.br&gt;" in response.text
    assert "Valor: R$ 1.000,00 → R$ 1.500,00" in response.text
    assert "10/12/2026 14:30" in response.text
    assert 'sandbox=""' in response.text
    assert "<script>alert" not in response.text


def test_list_query_count_is_bounded(staff_client, captured, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        staff_client.get(reverse("mail:captured_list"))


def _store(recipients):
    message = EmailMessage()
    message["Subject"] = f"Para {', '.join(recipients)}"
    message.set_content("corpo")
    return captured_store(mail_from="spy@x.com.br", recipients=recipients, raw=message.as_bytes())


def test_other_users_see_only_the_messages_addressed_to_them(transactional_db, make_user):
    from django.test import Client

    user = make_user("auxiliar", email="auxiliar@example.com")
    mine = [_store(["auxiliar@example.com"]), _store(["ana@x.com", "AUXILIAR@example.com"])]
    theirs = [_store(["ana@example.com"]), _store(["xauxiliar@example.com"])]
    client = Client()
    client.force_login(user)

    text = client.get(reverse("mail:captured_list")).text

    assert all(m.subject in text for m in mine)
    assert "ana@example.com" not in text and "xauxiliar@" not in text
    assert client.get(reverse("mail:captured_detail", args=[theirs[0].pk])).status_code == 404
    assert client.get(reverse("mail:captured_detail", args=[mine[0].pk])).status_code == 200
