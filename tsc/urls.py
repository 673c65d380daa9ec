from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "DRS back office — Taxpayer Service Center"
admin.site.site_title = "DRS back office"

urlpatterns = [
    path("", include("tsc.site.urls")),
    path("", include("tsc.accounts.urls")),
    path("", include("tsc.filing.urls")),
    path("", include("tsc.payments.urls")),
    path("drs-admin/", admin.site.urls),
]

handler500 = "tsc.lib.busy.server_error"
