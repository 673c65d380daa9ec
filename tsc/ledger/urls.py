from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("account/", views.account_details, name="account"),
    path("account/periods/<int:period_id>/", views.period_account, name="period"),
    path("account/periods/<int:period_id>/penalty-waiver/", views.waiver_request, name="waiver_request"),
    path("account/penalty-waivers/<int:waiver_id>/", views.waiver_detail, name="waiver"),
    path("account/refunds/", views.refunds, name="refunds"),
    path("refund-status/", views.refund_lookup, name="refund_lookup"),
]
