from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("backoffice/statistics/", views.statistics, name="statistics"),
    path("backoffice/statistics/export.csv", views.statistics_export, name="statistics_export"),
]
