from django.urls import path

from spysystem.finance import views

app_name = "finance"
urlpatterns = [
    path("", views.title_list, name="title_list"),
    path("novo/", views.title_create, name="title_create"),
    path("<int:pk>/", views.title_detail, name="title_detail"),
    path("<int:pk>/editar/", views.title_edit, name="title_edit"),
    path("<int:pk>/excluir/", views.title_delete, name="title_delete"),
]
