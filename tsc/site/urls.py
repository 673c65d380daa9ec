from django.urls import path

from . import views

app_name = "site"
urlpatterns = [
    path("", views.welcome, name="welcome"),
    path("privacy/", views.privacy, name="privacy"),
]
