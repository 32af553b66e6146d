"""Títulos screens: list with filters, create, detail with change history, edit, delete.

Every write goes through ``finance.services`` with ``origin=screen`` and the logged-in user, so
the capture trigger attributes the change to them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from spysystem.finance import selectors, services
from spysystem.finance.forms import TitleFilterForm, TitleForm, title_initial
from spysystem.finance.models import Title
from spysystem.watch.context import Origin
from spysystem.watch.selectors import change_list
from spysystem.web.forms import call_service
from spysystem.web.paging import paginate


def _title_or_404(pk: int) -> Title:
    return get_object_or_404(Title.objects.select_related("company", "party", "updated_by"), pk=pk)


@login_required
@require_safe
def title_list(request: HttpRequest) -> HttpResponse:
    """Filtered, paged list; the query count does not depend on the number of rows."""
    form = TitleFilterForm(request.GET)
    page = paginate(request, selectors.title_list(**form.selector_filters()))
    return render(request, "finance/title_list.html", {"form": form, "page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def title_create(request: HttpRequest) -> HttpResponse:
    """New title; on success go to its page."""
    form = TitleForm(request.POST or None)
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


@login_required
@require_safe
def title_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The title and the history of its watched facts."""
    title = _title_or_404(pk)
    changes = change_list(title_id=title.pk)
    return render(request, "finance/title_detail.html", {"title": title, "changes": changes})


@login_required
@require_http_methods(["GET", "POST"])
def title_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a title; a new amount or due date is captured and e-mailed by the Spy."""
    title = _title_or_404(pk)
    form = TitleForm(request.POST or None, initial=title_initial(title))
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


@login_required
@require_http_methods(["GET", "POST"])
def title_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes (the Spy notifies the configured users)."""
    title = _title_or_404(pk)
    if request.method == "POST":
        label = str(title)
        services.title_delete(title=title, user=request.user, origin=Origin.SCREEN)
        messages.success(request, _("Título %(title)s excluído.") % {"title": label})
        return redirect("finance:title_list")
    return render(request, "finance/title_confirm_delete.html", {"title": title})
