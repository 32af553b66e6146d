"""Login, logout, the home page (which is the titles list), and the administrators' screens
“Usuários e acesso” and “Auditoria de configurações” (under Configurador)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from spysystem.audit.selectors import settings_change_list
from spysystem.watch.context import Origin
from spysystem.web import accounts
from spysystem.web.audit_rows import audit_rows
from spysystem.web.forms import AuditFilterForm, UserCreateForm, UserEditForm, call_service
from spysystem.web.paging import paginate
from spysystem.web.permissions import CONFIGURE, require_role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """``/`` → the titles list."""
    return redirect("finance:title_list")


class SpyLoginView(auth_views.LoginView):
    """Django's login view with our template; a logged-in user goes straight home."""

    template_name = "web/login.html"
    redirect_authenticated_user = True


class SpyLogoutView(auth_views.LogoutView):
    """Logout by POST (CSRF-protected); a GET shows a page with the "Sair" button."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """Ask for confirmation instead of logging out on a plain link."""
        return render(request, "web/logout.html")


@require_role(CONFIGURE)
@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    """Every user with role, companies and e-mail; users without e-mail are flagged."""
    page = paginate(request, accounts.account_list())
    rows = [accounts.account_of(user) for user in page.object_list]
    return render(request, "web/user_list.html", {"page_obj": page, "accounts": rows})


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    """New user with role, companies and an initial password typed twice."""
    form = UserCreateForm(request.POST or None, initial={"role": "finance"})
    if request.method == "POST" and form.is_valid():
        user = call_service(
            form,
            accounts.account_create,
            actor=request.user,
            origin=Origin.SCREEN,
            **form.account_fields(),
        )
        if user is not None:
            messages.success(request, _("Usuário %(user)s criado.") % {"user": user.username})
            return redirect("user_list")
    return render(request, "web/user_form.html", {"form": form, "account": None})


def _edit_initial(account: accounts.Account) -> dict:
    user = account.user
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": account.role,
        "companies": account.companies,
        "is_active": user.is_active,
    }


@require_role(CONFIGURE)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change role, companies, e-mail, name and “Ativo” of a user."""
    user = get_object_or_404(User, pk=pk)
    account = accounts.account_of(user)
    form = UserEditForm(
        request.POST or None,
        initial=_edit_initial(account),
        user=user,
        editor=request.user,
        others_admins=accounts.active_admin_count(excluding=user),
    )
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            accounts.account_update,
            user=user,
            actor=request.user,
            origin=Origin.SCREEN,
            **form.account_fields(),
        )
        if updated is not None:
            messages.success(request, _("Usuário %(user)s gravado.") % {"user": user.username})
            return redirect("user_list")
    return render(request, "web/user_form.html", {"form": form, "account": account})


@require_role(CONFIGURE)
@require_safe
def settings_audit(request: HttpRequest) -> HttpResponse:
    """Every settings change, newest first, filtered by area: who, when, what (old → new)."""
    form = AuditFilterForm(request.GET)
    page = paginate(request, settings_change_list(area=form.area_prefix()))
    context = {"form": form, "page_obj": page, "rows": audit_rows(page.object_list)}
    return render(request, "web/settings_audit.html", context)
