from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "tsc.letters"
    verbose_name = "Status letters"
