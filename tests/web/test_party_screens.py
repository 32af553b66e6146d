"""Pessoas: list and detail scoped by company, the routines' opt-outs, the e-mails sent."""

from django.urls import reverse

from spysystem.mail.models import Message


def test_list_and_detail_show_emails_and_opt_outs(clerk_client, receivable):
    title = receivable()
    party = title.party

    listing = clerk_client.get(reverse("finance:party_list")).text
    detail = clerk_client.get(reverse("finance:party_detail", args=[party.pk])).text

    assert party.name in listing
    assert party.email_list[0] in detail
    assert "Não enviar aviso de vencimento" in detail
    assert "Não enviar e-mail de cobrança" in detail
    assert str(title) in detail


def test_finance_staff_set_the_opt_outs(clerk_client, make_party):
    party = make_party()

    response = clerk_client.post(
        reverse("finance:party_detail", args=[party.pk]), {"aviso": "on", "cobranca": ""}
    )

    assert response.status_code == 302
    party.refresh_from_db()
    assert (party.aviso_opt_out, party.cobranca_opt_out) == (True, False)


def test_readonly_sees_opt_outs_but_cannot_change_them(login, make_user, make_party):
    party = make_party()
    reader = login(make_user("leitor", role="readonly"))

    page = reader.get(reverse("finance:party_detail", args=[party.pk])).text
    response = reader.post(reverse("finance:party_detail", args=[party.pk]), {"aviso": "on"})

    assert 'name="aviso"' not in page
    assert response.status_code == 403
    party.refresh_from_db()
    assert not party.aviso_opt_out


def test_company_limited_user_sees_only_parties_of_their_companies(
    login, make_user, make_company, make_party, receivable
):
    mine, other = make_company(), make_company()
    visible = receivable(mine, party=make_party("Cliente Visível")).party
    hidden = receivable(other, party=make_party("Cliente Oculto")).party
    client = login(make_user("restrita", role="finance", company_ids=[mine.pk]))

    listing = client.get(reverse("finance:party_list")).text

    assert "Cliente Visível" in listing
    assert "Cliente Oculto" not in listing
    assert f'href="{reverse("finance:party_detail", args=[hidden.pk])}"' not in listing
    assert client.get(reverse("finance:party_detail", args=[hidden.pk])).status_code == 404
    assert client.post(reverse("finance:party_detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("finance:party_detail", args=[visible.pk])).status_code == 200


def test_detail_lists_the_emails_sent_to_the_customer(clerk_client, make_party, make_message):
    party = make_party()
    message = make_message(routine="aviso", to_email="aviso@cliente.com.br")
    Message.objects.filter(pk=message.pk).update(party=party, dedupe_key="aviso:1:2027-03-10:5:x")

    page = clerk_client.get(reverse("finance:party_detail", args=[party.pk])).text

    assert "aviso@cliente.com.br" in page
    assert "5 dia(s) antes" in page
    assert "Aviso de vencimento" in page


def test_search_by_name(clerk_client, make_party):
    make_party("Alfa Comércio")
    make_party("Beta Serviços")

    page = clerk_client.get(reverse("finance:party_list"), {"q": "alfa"}).text

    assert "Alfa Comércio" in page and "Beta Serviços" not in page
