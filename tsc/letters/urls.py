from django.urls import path

from . import views

app_name = "letters"
urlpatterns = [
    path("status-letter/", views.status_letter, name="status_letter"),
    path("status-letter/<str:letter_id>/", views.letter, name="letter"),
    path("status-letter/<str:letter_id>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("verify-status-letter/", views.verify, name="verify"),
    path("verify-status-letter/<str:letter_id>/", views.verify_letter, name="verify_letter"),
]
