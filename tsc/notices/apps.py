from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "tsc.notices"
    verbose_name = "Announcements"
