"""Production security of the screens: secure, HttpOnly cookies, CSRF on every form, and the
headers that stop sniffing, framing and leaking the address to other sites."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

SETTINGS_PROBE = (
    "import json, spysystem.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
    "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
    "'X_FRAME_OPTIONS']}))"
)


def _settings_with(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SPY_", "DJANGO_"))}
    base |= {"SPY_SECRET_KEY": "x" * 50, "DATABASE_URL": "sqlite:////tmp/unused.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        env=base | env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({}, True),  # production: secure cookies unless told otherwise
        ({"SPY_DEMO": "1"}, False),  # demo on http://127.0.0.1
        ({"SPY_DEBUG": "1"}, False),
        ({"SPY_SECURE_COOKIES": "0"}, False),  # a plain-HTTP intranet, on purpose
    ],
)
def test_cookies_are_secure_in_production_only(env, secure):
    values = _settings_with(**env)

    assert values["SESSION_COOKIE_SECURE"] is secure
    assert values["CSRF_COOKIE_SECURE"] is secure
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_login_sets_secure_http_only_same_site_cookies(make_user, settings):
    assert settings.SESSION_COOKIE_SECURE  # the test settings are the production ones
    make_user("maria", password="senha-forte-123")
    client = Client(enforce_csrf_checks=True)

    page = client.get(reverse("login"))
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("login"),
        {"username": "maria", "password": "senha-forte-123", "csrfmiddlewaretoken": token},
    )

    session = response.cookies["sessionid"]
    assert response.status_code == 302
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert page.cookies["csrftoken"]["secure"]


def test_posts_without_the_csrf_token_are_refused(make_user):
    user = make_user("controladora", is_admin=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("mail:switch_cobranca"), {"cobranca_por_empresa": "on"})

    assert response.status_code == 403


def test_every_form_carries_the_csrf_token(staff_client, make_title):
    title = make_title()
    for url in (
        reverse("finance:title_edit", args=[title.pk]),
        reverse("watch:spy_settings"),
        reverse("mail:smtp_general"),
        reverse("user_create"),
    ):
        text = staff_client.get(url).text
        assert text.count('method="post"') == text.count('name="csrfmiddlewaretoken"'), url


def test_pages_send_nosniff_referrer_policy_and_deny_framing(staff_client):
    response = staff_client.get(reverse("finance:title_list"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_sent_over_https_when_configured(staff_client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    over_https = staff_client.get(reverse("finance:title_list"), secure=True)
    over_http = staff_client.get(reverse("finance:title_list"))

    assert over_https["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in over_http


def test_a_refused_form_explains_in_portuguese_and_saves_nothing(make_user):
    make_user("maria", password="senha-forte-123")
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "maria", "password": "senha-forte-123"})

    assert response.status_code == 403
    assert "Não foi possível confirmar este envio" in response.text
    assert "SPY_SECURE_COOKIES=0" in response.text
    assert "sessionid" not in response.cookies
