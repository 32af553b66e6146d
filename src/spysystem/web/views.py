"""Login, logout and the home page (which is the titles list)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


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
