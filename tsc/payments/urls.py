from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("payments/", views.make_payment, name="make"),
    path("payments/scheduled/", views.scheduled_payments, name="scheduled"),
    path("payments/processed/", views.processed_payments, name="processed"),
    path("payments/cancelled/", views.cancelled_payments, name="cancelled"),
    path("payments/<int:payment_id>/", views.payment_detail, name="payment"),
    path("payments/<int:payment_id>/cancel/", views.payment_cancel, name="cancel"),
    path("business-profile/", views.business_profile, name="business_profile"),
    path("business-profile/contact/", views.business_contact, name="business_contact"),
    path("business-profile/banking/", views.banking, name="banking"),
    path("business-profile/close/", views.close_tax_types, name="close"),
]
