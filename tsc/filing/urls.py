from django.urls import path

from . import nonwage_views, views

app_name = "filing"
urlpatterns = [
    path("file/", views.file_returns, name="index"),
    path("file/<int:period_id>/", views.prepare_return, name="prepare"),
    path("file/<int:period_id>/1099/", nonwage_views.options, name="nonwage"),
    path("file/<int:period_id>/1099/manual/", nonwage_views.manual, name="nonwage_manual"),
    path("file/<int:period_id>/1099/upload/<str:kind>/", nonwage_views.upload, name="nonwage_upload"),
    path("file/1099-template.csv", nonwage_views.csv_template, name="nonwage_template"),
    path("uploads/", nonwage_views.uploads, name="uploads"),
    path("uploads/<uuid:token>/", nonwage_views.upload_status, name="upload_status"),
    path("uploads/<uuid:token>/progress/", nonwage_views.upload_progress, name="upload_progress"),
    path("returns/<int:return_id>/", views.return_detail, name="return"),
    path("returns/<int:return_id>/pdf/", views.return_pdf, name="return_pdf"),
    path("returns/history/", views.history, name="history"),
]
