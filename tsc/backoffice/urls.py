from django.urls import path

from . import views

app_name = "backoffice"
urlpatterns = [
    path("backoffice/", views.home, name="home"),
    path("backoffice/returns/", views.work_queue, name="work_queue"),
    path("backoffice/returns/<int:return_id>/process/", views.return_process, name="return_process"),
    path("backoffice/batches/", views.batches, name="batches"),
    path("backoffice/batches/<int:batch_id>/post/", views.batch_post, name="batch_post"),
    path("backoffice/bank-returns/", views.payment_return, name="payment_return"),
    path("backoffice/penalty-waivers/", views.waivers, name="waivers"),
    path("backoffice/penalty-waivers/<int:waiver_id>/", views.waiver, name="waiver"),
    path("backoffice/refunds/", views.refunds, name="refunds"),
    path("backoffice/refunds/<int:refund_id>/status/", views.refund_status, name="refund_status"),
    path("backoffice/taxpayers/", views.taxpayers, name="taxpayers"),
    path("backoffice/taxpayers/<int:business_id>/", views.taxpayer, name="taxpayer"),
    path("backoffice/taxpayers/<int:business_id>/codes/", views.taxpayer_code, name="taxpayer_code"),
    path(
        "backoffice/taxpayers/<int:business_id>/letters/<int:letter_id>/revoke/",
        views.letter_revoke,
        name="letter_revoke",
    ),
    path("backoffice/taxpayers/<int:business_id>/bulk-filer/", views.bulk_filer_designation, name="bulk_filer"),
    path("backoffice/taxpayers/<int:business_id>/bulk-clients/", views.bulk_client_record, name="bulk_client"),
    path("backoffice/contact/", views.contact_messages, name="contact_messages"),
    path("backoffice/contact/<int:message_id>/", views.contact_message, name="contact_message"),
    path("backoffice/announcements/", views.announcements, name="announcements"),
    path(
        "backoffice/announcements/<int:announcement_id>/withdraw/",
        views.announcement_withdraw,
        name="announcement_withdraw",
    ),
]
