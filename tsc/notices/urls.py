from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/confirm/<str:token>/", views.confirm, name="confirm"),
    path("announcements/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
