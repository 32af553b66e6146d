from django.urls import path

from spysystem.finance import views

app_name = "finance"
urlpatterns = [
    path("", views.title_list, name="title_list"),
    path("novo/", views.title_create, name="title_create"),
    path("boletos/", views.title_boletos, name="title_boletos"),
    path("importar/", views.title_import, name="title_import"),
    path("<int:pk>/", views.title_detail, name="title_detail"),
    path("<int:pk>/editar/", views.title_edit, name="title_edit"),
    path("<int:pk>/excluir/", views.title_delete, name="title_delete"),
    path("<int:pk>/boleto.pdf", views.title_boleto_pdf, name="title_boleto_pdf"),
    path("<int:pk>/boleto/enviar/", views.title_boleto_email, name="title_boleto_email"),
    path("<int:pk>/documentos/", views.title_document_add, name="title_document_add"),
    path(
        "<int:pk>/documentos/<int:document_id>/",
        views.title_document,
        name="title_document",
    ),
    path("pessoas/", views.party_list, name="party_list"),
    path("pessoas/<int:pk>/", views.party_detail, name="party_detail"),
]
