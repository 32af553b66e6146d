"""Títulos screens: list with filters, create, detail with change history, edit, delete.

Every write goes through ``finance.services`` with ``origin=screen`` and the logged-in user, so
the capture trigger attributes the change to them. Reading needs any role, writing needs finance
staff or administrator; a user limited to some companies sees only their titles (another
company's title is 404, and only their companies are offered in the forms).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from spysystem.finance import imports, selectors, services
from spysystem.finance.forms import (
    PartyOptOutForm,
    PartySearchForm,
    TitleDocumentForm,
    TitleFilterForm,
    TitleForm,
    TitleImportForm,
    title_initial,
)
from spysystem.finance.models import Company, Party, Title, TitleDocument
from spysystem.mail.models import Message
from spysystem.routines import boletos
from spysystem.routines.models import Boleto
from spysystem.watch.context import Origin
from spysystem.watch.selectors import change_list
from spysystem.web.forms import call_service
from spysystem.web.paging import paginate
from spysystem.web.permissions import (
    READ,
    WRITE,
    access_of,
    allows,
    require_role,
    scoped,
    scoped_or_404,
)


def _title_or_404(request: HttpRequest, pk: int) -> Title:
    titles = Title.objects.select_related("company", "party", "updated_by")
    return scoped_or_404(titles, request, pk=pk)


def _companies(request: HttpRequest) -> QuerySet[Company]:
    return scoped(Company.objects.all(), request, field="id")


@require_role(READ)
@require_safe
def title_list(request: HttpRequest) -> HttpResponse:
    """Filtered, paged list; the query count does not depend on the number of rows."""
    form = TitleFilterForm(request.GET, companies=_companies(request))
    titles = scoped(selectors.title_list(**form.selector_filters()), request)
    page = paginate(request, titles)
    return render(request, "finance/title_list.html", {"form": form, "page_obj": page})


@require_role(WRITE)
@require_http_methods(["GET", "POST"])
def title_create(request: HttpRequest) -> HttpResponse:
    """New title; on success go to its page."""
    form = TitleForm(request.POST or None, companies=_companies(request))
    if request.method == "POST" and form.is_valid():
        title = call_service(
            form,
            services.title_create,
            user=request.user,
            origin=Origin.SCREEN,
            **form.cleaned_data,
        )
        if title is not None:
            messages.success(request, _("Título %(title)s criado.") % {"title": title})
            return redirect("finance:title_detail", pk=title.pk)
    return render(request, "finance/title_form.html", {"form": form, "title": None})


@require_role(WRITE)
@require_http_methods(["GET", "POST"])
def title_import(request: HttpRequest) -> HttpResponse:
    """“Importar títulos”: “Validar” checks the file and counts; “Importar” writes it, all or
    nothing, attributed to the user with origin “importação”."""
    form = TitleImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(imports.MAX_BYTES + 1)
        result = imports.titles_import(
            content=content,
            fmt=form.cleaned_data["format"] or imports.format_of(upload.name),
            user=request.user,
            dry_run=request.POST.get("acao") != "importar",
        )
    columns = [(name, name in imports.REQUIRED, text) for name, text in imports.COLUMN_HELP.items()]
    context = {"form": form, "result": result, "columns": columns}
    return render(request, "finance/title_import.html", context, status=_import_status(result))


def _import_status(result: imports.ImportResult | None) -> int:
    return 400 if result is not None and not result.ok else 200


@require_role(READ)
@require_safe
def title_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The title and the history of its watched facts."""
    title = _title_or_404(request, pk)
    boleto = Boleto.objects.filter(title=title).first()
    context = {
        "title": title,
        "changes": change_list(title_id=title.pk),
        "boleto": boleto,
        "documents": title.documents.defer("content").order_by("id"),
        "sent": message_rows(title_messages(title, boleto)),
        "document_form": TitleDocumentForm(),
    }
    return render(request, "finance/title_detail.html", context)


@require_role(WRITE)
@require_http_methods(["GET", "POST"])
def title_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a title; a new amount or due date is captured and e-mailed by the Spy."""
    title = _title_or_404(request, pk)
    form = TitleForm(
        request.POST or None, initial=title_initial(title), companies=_companies(request)
    )
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.title_update,
            title=title,
            user=request.user,
            origin=Origin.SCREEN,
            **form.cleaned_data,
        )
        if updated is not None:
            messages.success(request, _("Título %(title)s gravado.") % {"title": updated})
            return redirect("finance:title_detail", pk=updated.pk)
        title.refresh_from_db()
    return render(request, "finance/title_form.html", {"form": form, "title": title})


@require_role(WRITE)
@require_http_methods(["GET", "POST"])
def title_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes (the Spy notifies the configured users)."""
    title = _title_or_404(request, pk)
    if request.method == "POST":
        label = str(title)
        services.title_delete(title=title, user=request.user, origin=Origin.SCREEN)
        messages.success(request, _("Título %(title)s excluído.") % {"title": label})
        return redirect("finance:title_list")
    return render(request, "finance/title_confirm_delete.html", {"title": title})


# --- Boletos: the manual's routines on the titles list and on a title ---------------------------

BULK_ACTIONS = ("imprimir", "emitir", "reenviar")


def _selected_titles(request: HttpRequest) -> list[Title]:
    ids = [int(v) for v in request.POST.getlist("titulos") if v.isdigit()]
    titles = scoped(Title.objects.select_related("company", "party"), request)
    return list(titles.filter(pk__in=ids).order_by("due_date", "id"))


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _print(request: HttpRequest, titles: list[Title], back: str) -> HttpResponse:
    try:
        content = boletos.boletos_pdf(titles=titles)
    except boletos.RoutineError as exc:
        messages.error(request, _("Boletos não gerados: %(error)s") % {"error": exc.message})
        return redirect(back)
    name = boletos.boleto_filename(titles[0]) if len(titles) == 1 else "boletos.pdf"
    return _pdf_response(content, name)


def _result_page(request: HttpRequest, action: str, titles: list[Title], result) -> HttpResponse:
    by_id = {title.pk: title for title in titles}
    errors = [(by_id.get(pk), message) for pk, message in result.errors]
    context = {"action": action, "result": result, "errors": errors, "count": len(titles)}
    return render(request, "finance/boleto_result.html", context)


@require_role(WRITE)
@require_http_methods(["POST"])
def title_boletos(request: HttpRequest) -> HttpResponse:
    """The selected titles' “Imprimir boletos”, “Emitir boletos” or “Reenvio de boletos/notas”."""
    action = request.POST.get("acao", "")
    back = request.POST.get("voltar") or ""
    back = back if back.startswith("/") and not back.startswith("//") else "finance:title_list"
    if action not in BULK_ACTIONS:
        messages.error(request, _("Escolha uma ação."))
        return redirect(back)
    titles = _selected_titles(request)
    if not titles:
        messages.error(request, _("Selecione ao menos um título."))
        return redirect(back)
    if action == "imprimir":
        return _print(request, titles, back)
    if action == "emitir":
        return _result_page(request, action, titles, boletos.boletos_emit(titles=titles))
    return _result_page(request, action, titles, boletos.boletos_resend(titles=titles))


@require_role(WRITE)
@require_http_methods(["POST"])
def title_boleto_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """“Imprimir boleto”: the title's boleto as a PDF download (issued on first print)."""
    title = _title_or_404(request, pk)
    return _print(request, [title], f"/titulos/{title.pk}/")


@require_role(WRITE)
@require_http_methods(["POST"])
def title_boleto_email(request: HttpRequest, pk: int) -> HttpResponse:
    """“Enviar boleto por e-mail” (``reenviar``: the boleto and the notas again)."""
    title = _title_or_404(request, pk)
    resend = request.POST.get("reenviar") == "1"
    run = boletos.boletos_resend if resend else boletos.boletos_emit
    result = run(titles=[title])
    if result.errors:
        messages.error(request, result.errors[0][1])
    elif result.queued:
        messages.success(
            request,
            _("Boleto enviado para a fila de e-mails: %(n)d mensagem(ns).") % {"n": result.queued},
        )
    else:
        messages.info(
            request,
            _(
                "Este boleto já tinha sido enviado. "
                "Para mandar de novo, use “Reenviar boleto e notas”."
            ),
        )
    return redirect("finance:title_detail", pk=title.pk)


@require_role(WRITE)
@require_http_methods(["POST"])
def title_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a PDF “nota” to the title (re-sent with the boleto)."""
    title = _title_or_404(request, pk)
    form = TitleDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.TITLE_DOCUMENT_MAX_BYTES:
            form.add_error("file", _("O arquivo passa de 5 MB: envie um PDF menor."))
        else:
            document = call_service(
                form,
                services.title_document_add,
                title=title,
                filename=upload.name,
                content=upload.read(),
                content_type=upload.content_type or "",
            )
            if document is not None:
                messages.success(
                    request, _("Documento %(name)s anexado.") % {"name": document.filename}
                )
                return redirect("finance:title_detail", pk=title.pk)
    for error in form.errors.get("file", []):
        messages.error(request, error)
    return redirect("finance:title_detail", pk=title.pk)


@require_role(READ)
@require_safe
def title_document(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """Download a document of the title."""
    title = _title_or_404(request, pk)
    document = TitleDocument.objects.filter(title=title, pk=document_id).first()
    if document is None:
        raise Http404
    return _pdf_response(bytes(document.content), document.filename.replace('"', ""))


# --- E-mail history of a title and of a customer ------------------------------------------------


def title_messages(title: Title, boleto: Boleto | None) -> QuerySet[Message]:
    """Messages about ``title``: linked to it (aviso, cobrança) or carrying its boleto."""
    condition = Q(titles=title)
    if boleto is not None:
        condition |= Q(dedupe_key__startswith=f"boleto:{boleto.pk}:")
    return Message.objects.filter(condition).distinct().order_by("-created_at", "-id")


def message_level(message: Message) -> str:
    """The collection level or warning offset a routine e-mail was sent for ('' otherwise)."""
    parts = message.dedupe_key.split(":")
    if message.routine == "cobranca" and len(parts) > 3:
        return _("nível %(days)s dias") % {"days": parts[3]}
    if message.routine == "aviso" and len(parts) > 3:
        return _("%(days)s dia(s) antes") % {"days": parts[3]}
    return ""


def message_rows(queryset: QuerySet[Message], limit: int = 200) -> list[tuple[Message, str]]:
    return [(message, message_level(message)) for message in queryset[:limit]]


# --- Pessoas -------------------------------------------------------------------------------------


def _parties(request: HttpRequest) -> QuerySet[Party]:
    """Every party for a user of all companies; else those with titles of their companies."""
    parties = Party.objects.all()
    company_ids = access_of(request).company_ids
    if company_ids is not None:
        visible = Title.objects.filter(company_id__in=company_ids).values("party_id")
        parties = parties.filter(pk__in=visible)
    return parties


def _party_or_404(request: HttpRequest, pk: int) -> Party:
    party = _parties(request).prefetch_related("emails").filter(pk=pk).first()
    if party is None:
        raise Http404
    return party


@require_role(READ)
@require_safe
def party_list(request: HttpRequest) -> HttpResponse:
    form = PartySearchForm(request.GET)
    parties = _parties(request).prefetch_related("emails")
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"].strip()
        digits = "".join(c for c in query if c.isalnum())
        condition = Q(name__icontains=query)
        if digits:
            condition |= Q(document__icontains=digits.upper())
        parties = parties.filter(condition)
    page = paginate(request, parties)
    return render(request, "finance/party_list.html", {"form": form, "page_obj": page})


def _party_messages(request: HttpRequest, party: Party) -> QuerySet[Message]:
    company_ids = access_of(request).company_ids
    sent = Message.objects.filter(Q(party=party) | Q(titles__party=party))
    if company_ids is not None:
        sent = sent.filter(Q(company_id__in=company_ids) | Q(company__isnull=True))
    return sent.distinct().order_by("-created_at", "-id")


@require_role(READ)
@require_http_methods(["GET", "POST"])
def party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer: e-mails, the routines' opt-outs (editable by finance staff), titles, e-mails."""
    party = _party_or_404(request, pk)
    initial = {"aviso": party.aviso_opt_out, "cobranca": party.cobranca_opt_out}
    form = PartyOptOutForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not allows(request, WRITE):
            raise PermissionDenied
        if form.is_valid():
            services.party_opt_out_set(
                party=party,
                aviso=form.cleaned_data["aviso"],
                cobranca=form.cleaned_data["cobranca"],
            )
            messages.success(
                request, _("Opções de e-mail de %(party)s gravadas.") % {"party": party}
            )
            return redirect("finance:party_detail", pk=party.pk)
    titles = scoped(selectors.title_list(party_id=party.pk), request).order_by("-due_date")
    context = {
        "party": party,
        "form": form,
        "titles": titles[:100],
        "sent": message_rows(_party_messages(request, party)),
    }
    return render(request, "finance/party_detail.html", context)
