from django.urls import include, path

urlpatterns = [
    path("", include("spysystem.web.urls")),
    path("titulos/", include("spysystem.finance.urls")),
    path("spy/", include("spysystem.watch.urls")),
    path("email/", include("spysystem.mail.urls")),
    path("rotinas/", include("spysystem.routines.urls")),
    path("api/v1/", include("spysystem.api.urls")),
]
