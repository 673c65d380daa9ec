from django.core.management.base import BaseCommand

from tsc.site.demo import DEMO_PASSWORD, DEMO_STAFF, seed_demo
from tsc.site.demo_account import DEMO_CLERK, DEMO_CLERK_TOTP_SECRET, DEMO_REFUND_SSN


class Command(BaseCommand):
    help = "Create the demo businesses and logins (idempotent)."

    def handle(self, *args, **options):
        notes = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Business 1234567-000: admin1, viewer, filer, payer, filepay, noaccess, locked1; "
                f"business 7654321-000: admin2; DRS back office (/drs-admin/, two-factor set up at the first "
                f"sign-in): {DEMO_STAFF}. Password for all: {DEMO_PASSWORD}"
            )
        )
        self.stdout.write(
            f"Business 3333333-000 (in good standing, can get a status letter): admin3. DRS clerk for the back "
            f"office (/backoffice/): {DEMO_CLERK}, authenticator secret {DEMO_CLERK_TOTP_SECRET} (add it to any "
            f"authenticator app). Refund Status without signing in: SSN {DEMO_REFUND_SSN}, amount 1234.56. "
            f"Third Party Bulk Filer 4444444-000 (Constitution Tax Services LLC): prep1; clients 1234567-000, "
            f"7654321-000, 2222222-000 and the individual with SSN {DEMO_REFUND_SSN}."
        )
        for note in notes:
            self.stdout.write(note)
