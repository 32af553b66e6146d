from django.urls import path

from spysystem.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.outbox_list, name="outbox_list"),
    path("<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("<int:pk>/reenviar/", views.outbox_retry, name="outbox_retry"),
    path("<int:pk>/cancelar/", views.outbox_cancel, name="outbox_cancel"),
    path("smtp/geral/", views.smtp_general, name="smtp_general"),
    path("smtp/financeiro/", views.smtp_finance, name="smtp_finance"),
    path("smtp/empresas/", views.smtp_company_list, name="smtp_company_list"),
    path("smtp/empresas/<int:company_id>/", views.smtp_company, name="smtp_company"),
    path(
        "smtp/empresas/<int:company_id>/remover/",
        views.smtp_company_delete,
        name="smtp_company_delete",
    ),
    path(
        "crm/telecobranca/",
        views.switch_page,
        {"switch": "cobranca_por_empresa"},
        name="switch_cobranca",
    ),
    path(
        "boleto/emissao/outras-configuracoes/",
        views.switch_page,
        {"switch": "aviso_por_empresa"},
        name="switch_aviso",
    ),
    path("rota/", views.route_explain, name="route_explain"),
    path("captura/", views.captured_list, name="captured_list"),
    path("captura/<int:pk>/", views.captured_detail, name="captured_detail"),
]
