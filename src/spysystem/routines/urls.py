from django.urls import path

from spysystem.routines import views

app_name = "routines"
urlpatterns = [
    path("tarefas/", views.task_list, name="task_list"),
    path("tarefas/<int:pk>/", views.task_edit, name="task_edit"),
    path("tarefas/<int:pk>/executar/", views.task_run, name="task_run"),
    path("tarefas/<int:pk>/historico/", views.task_runs, name="task_runs"),
    path("tarefas/execucoes/<int:pk>/", views.run_detail, name="run_detail"),
    path("telecobranca/executar/", views.cobranca_run, name="cobranca_run"),
    path("opcoes/", views.options_list, name="options_list"),
    path("opcoes/<int:company_id>/", views.options_edit, name="options_edit"),
    path("modelos/", views.template_list, name="template_list"),
    path("modelos/<str:routine>/", views.template_edit, name="template_edit"),
    path("boleto/contas/", views.bank_account_list, name="bank_account_list"),
    path("boleto/contas/nova/", views.bank_account_edit, name="bank_account_create"),
    path("boleto/contas/<int:pk>/", views.bank_account_edit, name="bank_account_edit"),
]
