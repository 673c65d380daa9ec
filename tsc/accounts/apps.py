from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tsc.accounts"
    verbose_name = "Logins and rights"
