from django.urls import path

from spysystem.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.outbox_list, name="outbox_list"),
    path("<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("<int:pk>/reenviar/", views.outbox_retry, name="outbox_retry"),
    path("<int:pk>/cancelar/", views.outbox_cancel, name="outbox_cancel"),
    path("smtp/geral/", views.smtp_general, name="smtp_general"),
    path("captura/", views.captured_list, name="captured_list"),
    path("captura/<int:pk>/", views.captured_detail, name="captured_detail"),
]
