from django.urls import path

from . import recovery_views, twofactor_views, user_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("first-time/", views.first_time, name="first_time"),
    path("forgot-password/", views.forgot_password, name="forgot_password"),
    path("forgot-password/answers/", views.forgot_password_answers, name="forgot_password_answers"),
    path("recover/", recovery_views.recover, name="recover"),
    path("recover/answers/", recovery_views.recover_answers, name="recover_answers"),
    path("menu/", views.main_menu, name="menu"),
    path("first-sign-in/", views.first_sign_in, name="first_sign_in"),
    path("administrator-contact/", views.administrator_contact, name="administrator_contact"),
    path("profile/", views.profile, name="profile"),
    path("profile/contact/", views.profile_contact, name="profile_contact"),
    path("profile/password/", views.profile_password, name="profile_password"),
    path("profile/identity-questions/", views.profile_questions, name="profile_questions"),
    path("profile/telephone-password/", views.profile_telephone_password, name="profile_telephone_password"),
    path("history/", views.history, name="history"),
    path("users/", user_views.users, name="users"),
    path("users/add/", user_views.user_add_view, name="user_add"),
    path("users/activity/", user_views.user_activity, name="user_activity"),
    path("users/<int:login_id>/", user_views.user_edit, name="user_edit"),
    # Two-factor sign-in (twofactor_views.py)
    path("sign-in/code/", twofactor_views.sign_in_code, name="sign_in_code"),
    path("sign-in/two-factor-setup/", twofactor_views.sign_in_setup, name="sign_in_setup"),
    path("profile/two-factor/", twofactor_views.profile_two_factor, name="profile_two_factor"),
    path("profile/two-factor/setup/", twofactor_views.profile_two_factor_setup, name="profile_two_factor_setup"),
    path("profile/two-factor/turn-off/", twofactor_views.profile_two_factor_off, name="profile_two_factor_off"),
    path("profile/two-factor/codes/", twofactor_views.profile_two_factor_codes, name="profile_two_factor_codes"),
    path("users/two-factor/", twofactor_views.users_two_factor, name="users_two_factor"),
    path("users/<int:login_id>/two-factor/reset/", twofactor_views.user_two_factor_reset, name="user_two_factor_reset"),
]
