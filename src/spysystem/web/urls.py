"""Login, logout, home, and the administrators' users and audit screens.

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
    path("configurador/usuarios/", views.user_list, name="user_list"),
    path("configurador/usuarios/novo/", views.user_create, name="user_create"),
    path("configurador/usuarios/<int:pk>/", views.user_edit, name="user_edit"),
    path("configurador/auditoria/", views.settings_audit, name="settings_audit"),
]
