"""Usuários e acesso: list with role, companies and e-mail; create with a checked password; edit."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from spysystem.audit.models import SettingsChange
from spysystem.finance.models import Role
from spysystem.finance.selectors import access_for

LIST = reverse("user_list")
CREATE = reverse("user_create")


def _new_user(**overrides):
    return {
        "username": "joana",
        "first_name": "Joana",
        "last_name": "Dias",
        "email": "Joana@Empresa.com.br",
        "role": "finance",
        "password1": "cavalo-bateria-grampo-9",
        "password2": "cavalo-bateria-grampo-9",
    } | overrides


def _edit(user, **overrides):
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": "finance",
        "is_active": "on",
    } | overrides


def test_list_shows_role_companies_and_flags_users_without_e_mail(
    staff_client, make_user, make_company
):
    company = make_company("FILIAL")
    make_user("leitor", role="readonly", company_ids=[company.pk])
    make_user("semmail", email="")

    text = staff_client.get(LIST).text

    assert "Usuários e acesso" in text
    assert "Somente consulta" in text and "FILIAL" in text
    assert "Administrador (tudo)" in text  # the logged-in controller
    assert "sem e-mail" in text and "não recebe e-mails do Spy System" in text


def test_list_query_count_does_not_grow_with_users(
    staff_client, make_user, make_company, django_assert_max_num_queries
):
    companies = [make_company() for _ in range(3)]
    for index in range(20):
        make_user(role="finance", company_ids=[companies[index % 3].pk])

    with django_assert_max_num_queries(8):
        response = staff_client.get(LIST)

    assert len(response.context["accounts"]) == 21


def test_create_makes_a_user_who_can_log_in_with_role_and_companies(
    staff_client, staff_user, make_company, client
):
    company = make_company("A")

    response = staff_client.post(CREATE, _new_user(companies=[company.pk]))

    assert response.status_code == 302 and response["Location"] == LIST
    user = User.objects.get(username="joana")
    assert user.email == "Joana@empresa.com.br" and user.get_full_name() == "Joana Dias"
    access = access_for(user)
    assert access.role == Role.FINANCE and access.company_ids == {company.pk}
    assert client.login(username="joana", password="cavalo-bateria-grampo-9")
    change = SettingsChange.objects.get(area="users:joana")
    assert change.actor == staff_user and change.origin == "screen"
    assert change.after["companies"] == ["A"] and "password" not in change.after


def test_create_administrator(staff_client):
    staff_client.post(CREATE, _new_user(role="admin"))

    assert User.objects.get(username="joana").is_staff


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "outra-coisa-123"}, "password2", "As duas senhas não são iguais."),
        ({"password1": "curta", "password2": "curta"}, "password1", "muito curta"),
        ({"password1": "password123", "password2": "password123"}, "password1", "muito comum"),
        ({"email": "não é e-mail"}, "email", "E-mail inválido"),
        ({"username": ""}, "username", "Este campo é obrigatório."),
    ],
)
def test_create_errors_are_shown_next_to_the_field_and_keep_the_typing(
    staff_client, overrides, field, message
):
    response = staff_client.post(CREATE, _new_user(**overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert 'value="Joana"' in response.text
    assert not User.objects.filter(username="joana").exists()


def test_duplicate_username_is_reported_by_the_service(staff_client, make_user):
    make_user("joana")

    response = staff_client.post(CREATE, _new_user())

    assert response.status_code == 200
    assert response.context["form"].errors["username"]


def test_edit_changes_role_companies_e_mail_and_active(staff_client, make_user, make_company):
    a, b = make_company("A"), make_company("B")
    user = make_user("pedro", role="finance", company_ids=[a.pk])
    url = reverse("user_edit", args=[user.pk])

    page = staff_client.get(url)
    response = staff_client.post(
        url, _edit(user, role="readonly", companies=[b.pk], email="", is_active="")
    )

    assert 'value="pedro@example.com"' in page.text
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.email == ""
    assert user.access.role == "readonly" and list(user.access.companies.all()) == [b]
    change = SettingsChange.objects.get(area="users:pedro", before__isnull=False)
    assert change.before["role"] == "finance" and change.after["role"] == "readonly"
    assert change.before["companies"] == ["A"] and change.after["companies"] == ["B"]


def test_an_administrator_cannot_demote_or_deactivate_themselves(staff_client, staff_user):
    url = reverse("user_edit", args=[staff_user.pk])

    demoted = staff_client.post(url, _edit(staff_user, role="finance"))
    deactivated = staff_client.post(url, _edit(staff_user, role="admin", is_active=""))

    assert "próprio papel de administrador" in demoted.text
    assert "próprio papel de administrador" in deactivated.text
    staff_user.refresh_from_db()
    assert staff_user.is_staff and staff_user.is_active


def test_promoting_to_administrator_and_back(staff_client, make_user):
    user = make_user("pedro")
    url = reverse("user_edit", args=[user.pk])

    staff_client.post(url, _edit(user, role="admin"))
    user.refresh_from_db()
    promoted = user.is_staff
    staff_client.post(url, _edit(user, role="finance"))
    user.refresh_from_db()

    assert promoted and not user.is_staff


def test_menu_shows_users_and_audit_to_administrators(staff_client, clerk_client):
    staff = staff_client.get(reverse("finance:title_list")).text
    clerk = clerk_client.get(reverse("finance:title_list")).text

    assert f'href="{LIST}"' in staff and f'href="{reverse("settings_audit")}"' in staff
    assert f'href="{LIST}"' not in clerk


def test_unknown_user_is_404(staff_client):
    assert staff_client.get(reverse("user_edit", args=[99999])).status_code == 404
