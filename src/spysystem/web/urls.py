"""Login, logout and home.

These names live in the root namespace (no ``app_name``): the settings use
``LOGIN_URL = "login"`` and ``LOGIN_REDIRECT_URL = "home"``, which ``resolve_url`` reverses without
a namespace.
"""

from django.urls import path

from spysystem.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("entrar/", views.SpyLoginView.as_view(), name="login"),
    path("sair/", views.SpyLogoutView.as_view(), name="logout"),
]
