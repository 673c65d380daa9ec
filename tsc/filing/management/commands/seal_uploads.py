"""Seal uploaded files stored before files were encrypted at rest: `manage.py seal_uploads`."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from tsc.filing.models import Upload
from tsc.lib.sealed_files import is_sealed, seal


class Command(BaseCommand):
    help = "Encrypt (seal) any uploaded file still stored in plaintext."

    def handle(self, *args, **options):
        sealed = 0
        for upload in Upload.objects.exclude(file="").iterator():
            path = Path(upload.file.storage.path(upload.file.name))
            if not path.exists() or is_sealed(path):
                continue
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sealing-")
            with os.fdopen(fd, "wb") as out, open(path, "rb") as plain:
                seal(iter(lambda: plain.read(64 * 1024), b""), out)
            os.replace(tmp, path)
            sealed += 1
        self.stdout.write(f"Sealed {sealed} file(s).")
