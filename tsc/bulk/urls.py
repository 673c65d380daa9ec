from django.urls import path

from . import views

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
