from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "tsc.ledger"
    verbose_name = "Account: ledger, waivers and refunds"
