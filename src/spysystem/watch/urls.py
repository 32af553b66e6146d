from django.urls import path

from spysystem.watch import views

app_name = "watch"
urlpatterns = [
    path("", views.spy_settings, name="spy_settings"),
    path("alteracoes/", views.change_list, name="change_list"),
    path("alteracoes/<int:pk>/", views.change_detail, name="change_detail"),
]
