"""Títulos screens: list with filters, create, detail with change history, edit, delete.

Every write goes through ``finance.services`` with ``origin=screen`` and the logged-in user, so
the capture trigger attributes the change to them. Reading needs any role, writing needs finance
staff or administrator; a user limited to some companies sees only their titles (another
company's title is 404, and only their companies are offered in the forms).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from spysystem.finance import selectors, services
from spysystem.finance.forms import TitleFilterForm, TitleForm, title_initial
from spysystem.finance.models import Company, Title
from spysystem.watch.context import Origin
from spysystem.watch.selectors import change_list
from spysystem.web.forms import call_service
from spysystem.web.paging import paginate
from spysystem.web.permissions import READ, WRITE, require_role, scoped, scoped_or_404


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


@require_role(READ)
@require_safe
def title_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The title and the history of its watched facts."""
    title = _title_or_404(request, pk)
    changes = change_list(title_id=title.pk)
    return render(request, "finance/title_detail.html", {"title": title, "changes": changes})


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
