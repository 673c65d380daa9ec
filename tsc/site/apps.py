from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "tsc.site"
    label = "tsc_site"
