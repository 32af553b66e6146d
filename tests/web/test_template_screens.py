"""Modelos de e-mail: per routine and company, preview from a real title, save (syntax errors
refused), back to the built-in one; administrators only."""

import pytest
from django.urls import reverse

from spysystem.routines.models import EmailTemplate


def _url(routine, company=None):
    url = reverse("routines:template_edit", args=[routine])
    return f"{url}?empresa={company.pk}" if company else url


def test_only_administrators_open_the_templates(clerk_client, staff_client):
    assert clerk_client.get(reverse("routines:template_list")).status_code == 403
    assert clerk_client.post(_url("boleto"), {"acao": "gravar"}).status_code == 403
    page = staff_client.get(reverse("routines:template_list")).text
    for label in ("Spy System", "Boleto", "Aviso de vencimento", "Cobrança", "Todas as empresas"):
        assert label in page


@pytest.mark.parametrize("routine", ["spy", "boleto", "aviso", "cobranca"])
def test_editor_starts_from_the_builtin_template_and_lists_variables(staff_client, routine):
    page = staff_client.get(_url(routine)).text

    assert "usando o modelo padrão" in page
    assert "Variáveis disponíveis" in page
    assert "{% load i18n %}" not in page


@pytest.mark.parametrize("routine", ["spy", "boleto", "aviso", "cobranca"])
def test_builtin_text_saves_unchanged(staff_client, routine):
    form = staff_client.get(_url(routine)).context["form"]
    data = {name: form.initial.get(name, "") for name in ("subject", "body_text", "body_html")}

    response = staff_client.post(_url(routine), data | {"acao": "gravar"})

    assert response.status_code == 302
    assert EmailTemplate.objects.filter(routine=routine, company=None).exists()


def test_preview_renders_subject_text_and_html_in_a_sandboxed_iframe(staff_client, receivable):
    title = receivable()
    data = {
        "subject": "Boleto {{ title.document }} de {{ company.name }}",
        "body_text": "Olá {{ party.name }}, valor {{ amount }}.",
        "body_html": "<p>Olá <b>{{ party.name }}</b></p>",
        "title": title.pk,
        "acao": "previsualizar",
    }

    response = staff_client.post(_url("boleto", title.company), data)

    assert response.status_code == 200
    assert f"Boleto {title.document} de {title.company.name}" in response.text
    assert f"Olá {title.party.name}, valor R$ 1.000,00." in response.text
    assert 'sandbox=""' in response.text
    assert 'srcdoc="&lt;p&gt;Olá &lt;b&gt;' in response.text
    assert not EmailTemplate.objects.exists()


def test_preview_shows_a_render_error(staff_client, receivable):
    title = receivable()
    data = {
        "subject": "x",
        "body_text": "{{ amount|date:'x'|nao_existe }}",
        "title": title.pk,
        "acao": "previsualizar",
    }
    response = staff_client.post(_url("aviso"), data)
    assert "data-preview-error" in response.text or 'id="id_body_text_error"' in response.text


def test_syntax_error_is_shown_next_to_the_field_and_nothing_saved(staff_client, make_company):
    company = make_company()
    data = {"subject": "Ok", "body_text": "{% if %}", "body_html": "", "acao": "gravar"}

    response = staff_client.post(_url("aviso", company), data)

    assert response.status_code == 200
    assert 'id="id_body_text_error"' in response.text
    assert "Erro de sintaxe no modelo" in response.text
    assert not EmailTemplate.objects.exists()


def test_save_for_a_company_then_back_to_default(staff_client, make_company):
    company = make_company()
    data = {"subject": "Aviso {{ title.document }}", "body_text": "Vence {{ due_date }}."}

    staff_client.post(_url("aviso", company), data | {"acao": "gravar"})
    saved = EmailTemplate.objects.get()
    assert (saved.routine, saved.company, saved.subject) == ("aviso", company, data["subject"])
    page = staff_client.get(_url("aviso", company)).text
    assert "modelo editado" in page and "Voltar ao padrão" in page
    listing = staff_client.get(reverse("routines:template_list")).text
    assert "editado" in listing

    staff_client.post(_url("aviso", company), {"acao": "padrao"})

    assert not EmailTemplate.objects.exists()
