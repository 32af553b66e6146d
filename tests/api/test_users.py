"""``/api/v1/users``: administrators manage users; passwords never come back."""

from __future__ import annotations

from django.contrib.auth.models import User

from spysystem.finance import services as finance
from tests.api.conftest import API


def test_administrator_creates_a_user_who_can_log_in(api):
    payload = {
        "username": "maria",
        "email": "Maria@Example.com",
        "first_name": "Maria",
        "password": "uma-senha-longa-42",
    }
    response = api.post(f"{API}users", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "password" not in body
    assert (body["username"], body["email"], body["is_admin"], body["is_active"]) == (
        "maria",
        "Maria@example.com",
        False,
        True,
    )
    user = User.objects.get(username="maria")
    assert user.check_password("uma-senha-longa-42")
    listing = (
        api.get(f"{API}users").content.decode() + api.get(f"{API}users/{user.pk}").content.decode()
    )
    for secret in ("uma-senha-longa-42", user.password, '"password"'):
        assert secret not in response.content.decode() + listing


def test_user_can_be_created_as_administrator_or_inactive(api):
    payload = {"username": "chefe", "is_admin": True, "is_active": False}
    body = api.post(f"{API}users", payload, format="json").json()
    assert (body["is_admin"], body["is_active"]) == (True, False)
    user = User.objects.get(username="chefe")
    assert user.is_staff and not user.is_active and not user.has_usable_password()


def test_weak_password_is_400_in_portuguese(api):
    response = api.post(f"{API}users", {"username": "x", "password": "123"}, format="json")
    assert response.status_code == 400
    assert any("senha" in message.lower() for message in response.json()["password"])
    assert not User.objects.filter(username="x").exists()


def test_invalid_email_is_400(api):
    response = api.post(f"{API}users", {"username": "x", "email": "x@"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"email": ["E-mail inválido: x@."]}


def test_duplicate_username_is_400(api, make_user):
    make_user("joana")
    response = api.post(f"{API}users", {"username": "joana"}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_patch_changes_email_and_names(api, make_user):
    user = make_user("pedro")
    response = api.patch(
        f"{API}users/{user.pk}", {"email": "", "last_name": "Souza"}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.email, user.last_name) == ("", "Souza")


def test_patch_cannot_change_username_admin_flag_or_password(api, make_user):
    user = make_user("ana")
    payload = {"username": "outra", "is_admin": True, "password": "nova-senha-longa-1"}
    response = api.patch(f"{API}users/{user.pk}", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "username": ["Este campo só pode ser definido na criação do usuário."],
        "is_admin": ["Este campo só pode ser definido na criação do usuário."],
        "password": ["A senha não pode ser alterada pela API."],
    }


def test_patch_repeating_the_current_username_is_accepted(api, make_user):
    user = make_user("ana")
    response = api.patch(
        f"{API}users/{user.pk}", {"username": "ana", "is_admin": False}, format="json"
    )
    assert response.status_code == 200


def test_delete_deactivates_the_user(api, make_user):
    user = make_user("saiu")
    assert api.delete(f"{API}users/{user.pk}").status_code == 204
    user.refresh_from_db()
    assert not user.is_active


def test_administrator_cannot_deactivate_themselves(api, admin):
    assert api.delete(f"{API}users/{admin.pk}").status_code == 409
    admin.refresh_from_db()
    assert admin.is_active


def test_users_are_filtered_by_activity(api, make_user, admin):
    make_user("ativo")
    finance.user_update(user=make_user("inativo"), is_active=False)
    names = [
        u["username"] for u in api.get(f"{API}users", {"is_active": "false"}).json()["results"]
    ]
    assert names == ["inativo"]


def test_administrator_cannot_deactivate_themselves_by_patch(api, admin):
    response = api.patch(f"{API}users/{admin.pk}", {"is_active": False}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "Você não pode desativar o próprio usuário."}


def test_users_carry_role_and_companies(api, admin, make_user, make_company):
    a, b = make_company(), make_company()
    response = api.post(
        f"{API}users",
        {"username": "leitor", "role": "readonly", "companies": [a.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["role"], body["companies"], body["is_admin"]) == ("readonly", [a.pk], False)
    url = f"{API}users/{body['id']}"
    body = api.patch(url, {"role": "finance", "companies": [a.pk, b.pk]}, format="json").json()
    assert (body["role"], body["companies"]) == ("finance", sorted([a.pk, b.pk]))
    body = api.patch(url, {"companies": []}, format="json").json()
    assert (body["role"], body["companies"]) == ("finance", [])
    body = api.patch(url, {"role": "admin"}, format="json").json()
    assert (body["role"], body["is_admin"], body["companies"]) == ("admin", True, [])
    assert api.get(f"{API}users/{admin.pk}").json()["role"] == "admin"
    plain = make_user("semacesso")
    assert api.get(f"{API}users/{plain.pk}").json()["role"] == "finance"


def test_bad_role_or_company_is_a_field_error(api, admin):
    response = api.post(f"{API}users", {"username": "x1", "role": "chefe"}, format="json")
    assert response.status_code == 400 and "role" in response.json()
    response = api.post(f"{API}users", {"username": "x2", "companies": [9999]}, format="json")
    assert response.status_code == 400 and "companies" in response.json()
    response = api.post(
        f"{API}users", {"username": "x3", "role": "finance", "is_admin": True}, format="json"
    )
    assert response.status_code == 400 and "is_admin" in response.json()
    response = api.patch(f"{API}users/{admin.pk}", {"role": "readonly"}, format="json")
    assert response.status_code == 409


def test_only_administrators_change_roles(role_api, make_user):
    user = make_user()
    client = role_api(role="finance")
    response = client.patch(f"{API}users/{user.pk}", {"role": "admin"}, format="json")
    assert response.status_code == 403
