from django.urls import path

from . import import_views, views

app_name = "bulk"
urlpatterns = [
    path("bulk/", views.menu, name="menu"),
    path("bulk/clients/", views.file_for_clients, name="clients"),
    path("bulk/single/", views.single_client, name="single"),
    path("bulk/combined/", views.combined_filing, name="combined"),
    path("bulk/stop/", views.stop_acting, name="stop"),
    path("bulk/pay/", views.pay_for_client, name="pay"),
    path("bulk/pay/individual/<int:authorization_id>/", views.pay_individual, name="pay_individual"),
    path("bulk/payments/<int:payment_id>/", views.individual_payment, name="individual_payment"),
    path("bulk/bank/", views.client_bank, name="bank"),
    path("business-profile/bulk-filers/", views.authorizations, name="authorizations"),
    path("business-profile/bulk-filers/<int:authorization_id>/revoke/", views.authorization_revoke, name="revoke"),
]

# File Import and View File Upload Status (tsc/bulk/import_views.py).
urlpatterns += [
    path("bulk/import/", import_views.file_import, name="import"),
    path("bulk/import/layouts/", import_views.layouts, name="layouts"),
    path("bulk/imports/", import_views.import_list, name="imports"),
    path("bulk/imports/<uuid:token>/", import_views.import_status, name="import_status"),
    path("bulk/imports/<uuid:token>/progress/", import_views.import_progress, name="import_progress"),
    path("bulk/imports/<uuid:token>/acknowledgement.csv", import_views.import_ack_csv, name="import_ack_csv"),
]
