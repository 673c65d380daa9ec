from django.contrib import admin
from django.urls import include, path

from tsc.accounts import twofactor_views

admin.site.site_header = "DRS back office — Taxpayer Service Center"
admin.site.site_title = "DRS back office"
admin.site.site_url = "/backoffice/"  # "View site" leads staff to the back office's own pages
# Staff reach the back office only after a code from their authenticator app.
twofactor_views.back_office_protect(admin.site)

urlpatterns = [
    path("", include("tsc.site.urls")),
    path("", include("tsc.accounts.urls")),
    path("", include("tsc.filing.urls")),
    path("", include("tsc.payments.urls")),
    path("", include("tsc.letters.urls")),
    path("", include("tsc.ledger.urls")),
    path("", include("tsc.bulk.urls")),
    path("", include("tsc.api.urls")),
    path("api/", include("tsc.api.api")),
    path("", include("tsc.notices.urls")),
    path("", include("tsc.help.urls")),
    path("", include("tsc.contact.urls")),
    path("", include("tsc.visits.urls")),
    path("", include("tsc.backoffice.urls")),
    path("drs-admin/", admin.site.urls),
]

handler500 = "tsc.lib.busy.server_error"
