from django.apps import AppConfig


class HelpConfig(AppConfig):
    name = "tsc.help"
    verbose_name = "Help centre"
