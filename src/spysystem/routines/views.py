"""Screens of the routines: Tarefas (GEEnviaEmailAvisoVencimento, GEAtualizaCobranca) with
“Executar agora” and their history, the Telecobrança actions, the per-company routine options,
the e-mail templates (Modelos de e-mail) and the boleto bank accounts.

Views are thin: they call ``routines.services`` / ``routines.scheduler`` /
``finance.services`` with ``actor=request.user`` and ``origin="screen"``.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from spysystem.finance import services as finance_services
from spysystem.finance.models import BankAccount, Company, Ledger, Title
from spysystem.routines import services
from spysystem.routines.emails import template_preview
from spysystem.routines.forms import (
    BankAccountForm,
    RoutineOptionsForm,
    RunNowForm,
    TaskForm,
    TemplateForm,
    bank_account_initial,
    days_text,
)
from spysystem.routines.models import (
    CompanyRoutineSettings,
    EmailTemplate,
    Task,
    TaskRun,
    default_levels,
    default_offsets,
)
from spysystem.routines.scheduler import next_slot, task_run_now, tasks_ensure
from spysystem.web.forms import call_service
from spysystem.web.paging import paginate
from spysystem.web.permissions import (
    CONFIGURE,
    READ,
    WRITE,
    access_of,
    allows,
    require_role,
    scoped,
)

ORIGIN = "screen"
COBRANCA_TASK = "GEAtualizaCobranca"


def can_run_tasks(request: HttpRequest) -> bool:
    """Finance staff or administrators who see every company: a task runs for all of them."""
    return allows(request, WRITE) and access_of(request).company_ids is None


# --- Tarefas -------------------------------------------------------------------------------------


@require_role(READ)
@require_safe
def task_list(request: HttpRequest) -> HttpResponse:
    tasks_ensure()
    now = timezone.now()
    rows = [
        (task, task.runs.first(), task.next_run_at or next_slot(task.schedule, now))
        for task in Task.objects.all()
    ]
    context = {"rows": rows, "run_form": RunNowForm(), "can_run": can_run_tasks(request)}
    return render(request, "routines/task_list.html", context)


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    initial = {
        "schedule": task.schedule,
        "enabled": task.enabled,
        "notify_users": list(task.notify_users.all()),
    }
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        updated = call_service(
            form,
            services.task_update,
            task=task,
            schedule=data["schedule"].strip(),
            enabled=data["enabled"],
            notify_user_ids=[user.pk for user in data["notify_users"]],
            actor=request.user,
            origin=ORIGIN,
        )
        if updated is not None:
            messages.success(request, _("Tarefa %(task)s gravada.") % {"task": task.name})
            return redirect("routines:task_list")
        task.refresh_from_db()
    return render(request, "routines/task_form.html", {"task": task, "form": form})


def _run_now(request: HttpRequest, name: str, as_of=None) -> HttpResponse:
    run = task_run_now(name=name, as_of=as_of, trigger="manual")
    messages.success(
        request,
        _("Tarefa %(task)s executada: %(status)s.")
        % {"task": name, "status": run.get_status_display()},
    )
    return redirect("routines:run_detail", pk=run.pk)


@require_role(WRITE)
@require_POST
def task_run(request: HttpRequest, pk: int) -> HttpResponse:
    """“Executar agora”, optionally as if on another day."""
    if not can_run_tasks(request):
        raise PermissionDenied
    task = get_object_or_404(Task, pk=pk)
    form = RunNowForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("as_of", []):
            messages.error(request, error)
        return redirect("routines:task_list")
    return _run_now(request, task.name, form.cleaned_data["as_of"])


@require_role(WRITE)
@require_POST
def cobranca_run(request: HttpRequest) -> HttpResponse:
    """Telecobrança “Atualizar cobranças” / “E-mail de cobrança”: GEAtualizaCobranca now."""
    if not can_run_tasks(request):
        raise PermissionDenied
    return _run_now(request, COBRANCA_TASK)


@require_role(READ)
@require_safe
def task_runs(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    page = paginate(request, task.runs.all())
    return render(request, "routines/task_runs.html", {"task": task, "page_obj": page})


@require_role(READ)
@require_safe
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(TaskRun.objects.select_related("task"), pk=pk)
    # The problems name customers of every company: only for users who see every company.
    show_problems = access_of(request).company_ids is None
    return render(request, "routines/run_detail.html", {"run": run, "show_problems": show_problems})


# --- Opções das rotinas por empresa ------------------------------------------------------------


@require_role(CONFIGURE)
@require_safe
def options_list(request: HttpRequest) -> HttpResponse:
    stored = {o.company_id: o for o in CompanyRoutineSettings.objects.all()}
    rows = []
    for company in Company.objects.all():
        options = stored.get(company.pk)
        rows.append(
            {
                "company": company,
                "aviso": days_text(options.aviso_offsets if options else default_offsets()),
                "cobranca": days_text(options.cobranca_levels if options else default_levels()),
                "reply_to": options.reply_to if options else "",
            }
        )
    return render(request, "routines/options_list.html", {"rows": rows})


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def options_edit(request: HttpRequest, company_id: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=company_id)
    options = CompanyRoutineSettings.objects.filter(company=company).first()
    initial = {
        "aviso_offsets": days_text(options.aviso_offsets if options else default_offsets()),
        "cobranca_levels": days_text(options.cobranca_levels if options else default_levels()),
        "reply_to": options.reply_to if options else "",
    }
    form = RoutineOptionsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            services.routine_settings_set,
            company=company,
            actor=request.user,
            origin=ORIGIN,
            **form.service_kwargs(),
        )
        if saved is not None:
            messages.success(
                request,
                _("Opções das rotinas de %(company)s gravadas.") % {"company": company.code},
            )
            return redirect("routines:options_list")
    return render(request, "routines/options_form.html", {"company": company, "form": form})


# --- Modelos de e-mail ---------------------------------------------------------------------------

ROUTINES = {
    "spy": gettext_lazy("Spy System"),
    "boleto": gettext_lazy("Boleto"),
    "aviso": gettext_lazy("Aviso de vencimento"),
    "cobranca": gettext_lazy("Cobrança"),
}
BUILTIN_DIRS = {
    "spy": "watch/email/spy_change",
    "boleto": "routines/email/boleto",
    "aviso": "routines/email/aviso",
    "cobranca": "routines/email/cobranca",
}
_TITLE_VARS = [
    ("title.document", gettext_lazy("documento do título")),
    ("title.installment", gettext_lazy("parcela")),
    ("title.issue_date", gettext_lazy("emissão (use |date_br)")),
    ("title.due_date", gettext_lazy("vencimento (use |date_br)")),
    ("title.amount", gettext_lazy("valor (use |brl)")),
    ("title.description", gettext_lazy("descrição")),
    ("company.name", gettext_lazy("razão social da empresa")),
    ("company.code", gettext_lazy("código da empresa")),
    ("company.cnpj", gettext_lazy("CNPJ da empresa")),
    ("party.name", gettext_lazy("nome do cliente")),
    ("party.document", gettext_lazy("CPF/CNPJ do cliente")),
]
_BOLETO_VARS = [
    ("amount", gettext_lazy("valor formatado (R$ 1.234,56)")),
    ("due_date", gettext_lazy("vencimento formatado (dd/mm/aaaa)")),
    ("boleto.digitable_line", gettext_lazy("linha digitável")),
    ("boleto.our_number_formatted", gettext_lazy("nosso número")),
]
VARIABLES = {
    "spy": [
        ("ledger_label", gettext_lazy("carteira (Contas a pagar / a receber)")),
        ("document", gettext_lazy("documento/parcela")),
        ("company_label", gettext_lazy("empresa (código · razão social)")),
        ("company_cnpj", gettext_lazy("CNPJ da empresa")),
        ("party_label", gettext_lazy("pessoa")),
        ("party_document", gettext_lazy("CPF/CNPJ da pessoa")),
        ("deleted", gettext_lazy("verdadeiro quando o título foi excluído")),
        ("facts", gettext_lazy("o que mudou: {% for fact in facts %}…{% endfor %}")),
        (
            "fact.label / fact.old / fact.new / fact.delta",
            gettext_lazy("campo, antes, depois, diferença"),
        ),
        ("actor", gettext_lazy("quem alterou")),
        ("origin_label", gettext_lazy("por onde (tela, API, CLI)")),
        ("when", gettext_lazy("quando (dd/mm/aaaa hh:mm)")),
        ("link", gettext_lazy("endereço do título no Spy System")),
    ],
    "boleto": _TITLE_VARS + _BOLETO_VARS,
    "aviso": _TITLE_VARS
    + _BOLETO_VARS
    + [("offset", gettext_lazy("dias que faltam para o vencimento (0 = hoje)"))],
    "cobranca": [
        ("party.name", gettext_lazy("nome do cliente")),
        ("company.name", gettext_lazy("empresa (vazio na cobrança do grupo)")),
        ("level", gettext_lazy("nível de cobrança (dias de atraso: 1, 7, 15, 30…)")),
        ("as_of", gettext_lazy("data da atualização (dd/mm/aaaa)")),
        ("lines", gettext_lazy("títulos vencidos: {% for line in lines %}…{% endfor %}")),
        ("line.title.document", gettext_lazy("documento")),
        ("line.title.installment", gettext_lazy("parcela")),
        ("line.due_date", gettext_lazy("vencimento (dd/mm/aaaa)")),
        ("line.days", gettext_lazy("dias de atraso")),
        ("line.amount", gettext_lazy("valor original")),
        ("line.charges", gettext_lazy("multa e juros")),
        ("line.updated", gettext_lazy("valor atualizado")),
        ("total", gettext_lazy("total atualizado")),
    ],
}


def _builtin_source(routine: str) -> dict[str, str]:
    """The built-in template's text, as a starting point (``{% load i18n %}`` is implicit)."""
    sources = {}
    for field, name in (
        ("subject", "subject.txt"),
        ("body_text", "body.txt"),
        ("body_html", "body.html"),
    ):
        try:
            source = get_template(f"{BUILTIN_DIRS[routine]}/{name}").template.source
        except Exception:  # a routine without that part
            source = ""
        sources[field] = source.replace("{% load i18n %}", "").replace(
            "{% load i18n spy %}", "{% load spy %}"
        )
    # The subject is rendered without autoescape, and the built-in strings are in Portuguese
    # already: drop those tags so the starting subject fits the field (300 characters).
    subject = (
        sources["subject"].replace("{% autoescape off %}", "").replace("{% endautoescape %}", "")
    )
    subject = re.sub(r'{% translate "([^"]*)" %}', r"\1", subject)
    subject = _PLURAL.sub(_plural_as_if, subject)
    sources["subject"] = " ".join(subject.split())
    return sources


_PLURAL = re.compile(
    r"{% blocktranslate count (\w+)=([\w.]+) %}(.*?){% plural %}(.*?){% endblocktranslate %}"
)


def _plural_as_if(match: re.Match) -> str:
    name, value, one, many = match.groups()
    one, many = (
        re.sub(r"{{ *" + name + r" *}}", "{{ " + value + " }}", text) for text in (one, many)
    )
    return f"{{% if {value} == 1 %}}{one}{{% else %}}{many}{{% endif %}}"


def _template_company(request: HttpRequest) -> Company | None:
    raw = request.POST.get("empresa") or request.GET.get("empresa") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise PermissionDenied
    return get_object_or_404(Company, pk=int(raw))


def _preview_titles(company: Company | None, request: HttpRequest) -> QuerySet[Title]:
    titles = scoped(Title.objects.filter(ledger=Ledger.RECEIVABLE), request)
    if company is not None:
        titles = titles.filter(company=company)
    recent = titles.order_by("-due_date", "-id").values("pk")[:200]
    return (
        Title.objects.filter(pk__in=recent)
        .select_related("company", "party")
        .order_by("-due_date", "-id")
    )


@require_role(CONFIGURE)
@require_safe
def template_list(request: HttpRequest) -> HttpResponse:
    companies = list(Company.objects.all())
    edited = set(EmailTemplate.objects.values_list("routine", "company_id"))
    rows = [
        {
            "routine": routine,
            "label": label,
            "cells": [(None, (routine, None) in edited)]
            + [(company, (routine, company.pk) in edited) for company in companies],
        }
        for routine, label in ROUTINES.items()
    ]
    return render(request, "routines/template_list.html", {"rows": rows, "companies": companies})


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, routine: str) -> HttpResponse:
    if routine not in ROUTINES:
        raise PermissionDenied
    company = _template_company(request)
    stored = EmailTemplate.objects.filter(routine=routine, company=company).first()
    initial = (
        {"subject": stored.subject, "body_text": stored.body_text, "body_html": stored.body_html}
        if stored
        else _builtin_source(routine)
    )
    titles = _preview_titles(company, request)
    initial["title"] = titles.first()
    form = TemplateForm(request.POST or None, initial=initial, titles=titles)
    preview = None
    if request.method == "POST":
        action = request.POST.get("acao")
        if action == "padrao":
            services.email_template_delete(
                routine=routine, company=company, actor=request.user, origin=ORIGIN
            )
            messages.success(request, _("Modelo de volta ao padrão."))
            return redirect(_template_url(routine, company))
        if form.is_valid():
            data = form.cleaned_data
            if action == "gravar":
                saved = call_service(
                    form,
                    services.email_template_save,
                    routine=routine,
                    company=company,
                    subject=data["subject"],
                    body_text=data["body_text"],
                    body_html=data["body_html"],
                    actor=request.user,
                    origin=ORIGIN,
                )
                if saved is not None:
                    messages.success(request, _("Modelo de e-mail gravado."))
                    return redirect(_template_url(routine, company))
            elif data["title"] is None:
                form.add_error("title", _("Escolha um título para pré-visualizar."))
            else:
                preview = template_preview(
                    routine=routine,
                    title=data["title"],
                    subject=data["subject"],
                    body_text=data["body_text"],
                    body_html=data["body_html"],
                )
    context = {
        "routine": routine,
        "routine_label": ROUTINES[routine],
        "company": company,
        "stored": stored,
        "form": form,
        "preview": preview,
        "variables": VARIABLES[routine],
    }
    return render(request, "routines/template_form.html", context)


def _template_url(routine: str, company: Company | None) -> str:
    from django.urls import reverse

    url = reverse("routines:template_edit", args=[routine])
    return f"{url}?empresa={company.pk}" if company else url


# --- Financeiro / Boleto bancário / Contas --------------------------------------------------------


def _bank_help() -> list[tuple[str, str, list[tuple[str, str]]]]:
    from spysystem import boleto as core
    from spysystem.commands.boleto_fields import BANK_FIELDS

    return [(code, bank.name, list(BANK_FIELDS.get(code, ()))) for code, bank in core.BANKS.items()]


@require_role(CONFIGURE)
@require_safe
def bank_account_list(request: HttpRequest) -> HttpResponse:
    accounts = BankAccount.objects.select_related("company").order_by("company__code", "id")
    return render(request, "routines/bank_account_list.html", {"accounts": accounts})


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def bank_account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    account = get_object_or_404(BankAccount, pk=pk) if pk else None
    initial = bank_account_initial(account) if account else {}
    form = BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if account is None:
            saved = call_service(form, finance_services.bank_account_create, **fields)
        else:
            saved = _bank_account_update(form, account, fields)
        if saved is not None:
            messages.success(request, _("Conta bancária %(account)s gravada.") % {"account": saved})
            return redirect("routines:bank_account_list")
    context = {"account": account, "form": form, "bank_help": _bank_help()}
    return render(request, "routines/bank_account_form.html", context)


def _bank_account_update(form: BankAccountForm, account: BankAccount, fields: dict):
    return call_service(
        form,
        lambda **kwargs: finance_services.bank_account_update(bank_account=account, **kwargs),
        **fields,
    )
