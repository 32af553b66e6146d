"""Login, logout, the layout, and who may open which screen."""

import pytest
from django.urls import reverse

LOGGED_IN_PAGES = [
    "home",
    "finance:title_list",
    "finance:title_create",
    "watch:change_list",
    "mail:outbox_list",
    "mail:captured_list",
]
STAFF_PAGES = ["watch:spy_settings", "mail:smtp_general"]


@pytest.mark.parametrize("name", LOGGED_IN_PAGES + STAFF_PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_login_page_is_in_portuguese_and_logs_the_user_in(client, make_user):
    make_user("maria", password="senha-forte-123")

    page = client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "maria", "password": "senha-forte-123"})

    assert page.status_code == 200
    assert "Entrar no Spy System" in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_a_portuguese_error(client, make_user):
    make_user("maria", password="senha-forte-123")

    response = client.post(reverse("login"), {"username": "maria", "password": "errada"})

    assert response.status_code == 200
    assert "senha corretos" in response.text


def test_home_redirects_to_the_titles_list(clerk_client):
    response = clerk_client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("finance:title_list")


def test_logout_asks_on_get_and_logs_out_on_post(clerk_client):
    page = clerk_client.get(reverse("logout"))
    response = clerk_client.post(reverse("logout"))

    assert "Sair do Spy System?" in page.text
    assert response.status_code == 302
    assert clerk_client.get(reverse("finance:title_list")).status_code == 302


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_user_without_staff_rights_gets_403_on_settings_screens(clerk_client, name):
    assert clerk_client.get(reverse(name)).status_code == 403
    assert clerk_client.post(reverse(name), {}).status_code == 403


@pytest.mark.parametrize(
    ("name", "menu_entry"),
    [
        ("finance:title_list", "finance:title_list"),
        ("finance:title_create", "finance:title_list"),
        ("watch:spy_settings", "watch:spy_settings"),
        ("watch:change_list", "watch:change_list"),
        ("mail:smtp_general", "mail:smtp_general"),
        ("mail:outbox_list", "mail:outbox_list"),
    ],
)
def test_every_screen_renders_the_menu_and_marks_the_current_entry(staff_client, name, menu_entry):
    response = staff_client.get(reverse(name))

    assert response.status_code == 200
    assert "Financeiro / Opções / Spy System" in response.text
    assert response.text.count('aria-current="page"') == 1
    assert f'href="{reverse(menu_entry)}" aria-current="page"' in response.text
    assert "/static/spy/spy.css" in response.text


def test_demo_banner_and_capture_inbox_entry_appear_only_in_demo_mode(clerk_client, settings):
    settings.DEMO = False
    normal = clerk_client.get(reverse("finance:title_list")).text
    settings.DEMO = True
    demo = clerk_client.get(reverse("finance:title_list")).text

    assert "Modo demonstração" not in normal
    assert "Caixa de captura (demo)" not in normal
    assert "Modo demonstração" in demo
    assert "Caixa de captura (demo)" in demo


def test_stylesheet_is_served_without_a_cdn(client, db):
    response = client.get("/static/spy/spy.css")

    assert response.status_code == 200
    assert b":focus-visible" in b"".join(response.streaming_content)


def test_menu_hides_settings_entries_from_users_without_staff_rights(clerk_client):
    response = clerk_client.get(reverse("finance:title_list"))

    assert "Histórico de alterações" in response.text
    assert f'href="{reverse("watch:spy_settings")}"' not in response.text
    assert f'href="{reverse("mail:smtp_general")}"' not in response.text
