from django.urls import path

from . import views

app_name = "api_tokens"
urlpatterns = [
    path("bulk/api-tokens/", views.token_list, name="list"),
    path("bulk/api-tokens/new/", views.token_create, name="create"),
    path("bulk/api-tokens/<int:token_id>/revoke/", views.token_revoke, name="revoke"),
]
