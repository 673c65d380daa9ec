"""Send one banking day's payments to the bank: `manage.py send_payment_batch --date mm/dd/yyyy`.

Idempotent per date (see tsc/payments/batch.py): running it again prints the batch already made.
`--output FILE` also writes the plaintext NACHA file for transmission to the bank (mode 0600).
"""

import os
import shutil
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tsc.lib.business_days import is_banking_day
from tsc.payments.batch import payment_batch_send


class Command(BaseCommand):
    help = "Write the NACHA file of the payments sent to the bank on a banking day, once."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="mm/dd/yyyy (default: today)")
        parser.add_argument("--output", help="also write the plaintext NACHA file here, for the bank")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                day = datetime.strptime(options["date"], "%m/%d/%Y").date()  # noqa: DTZ007 - a date
            except ValueError:
                raise CommandError("--date must be mm/dd/yyyy, like 11/25/2026.") from None
        else:
            day = timezone.localdate()
        if not is_banking_day(day):
            raise CommandError(f"{day:%m/%d/%Y} is not a banking day: no file is sent that day.")
        batch = payment_batch_send(day=day)
        if options["output"]:
            fd = os.open(options["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out, batch.open() as sealed:
                shutil.copyfileobj(sealed, out)
        self.stdout.write(
            f"Bank batch {day:%m/%d/%Y}: {batch.entry_count} payment(s), total ${batch.total:,.2f}"
            + (f"; file written to {options['output']}" if options["output"] else "")
        )
