"""Look for personal data stored in clear: in every text column of every table, in the stored
files and logs under VAR_DIR (and any folder named), report where, never what.

What counts as a find:
- a known secret in clear: the SSN of an individual, the TIN of a 1099/W-2G payee, a bank account
  number (of banking on file or of a payment) — read from their encrypted fields, then searched for
  as digits (with or without dashes) everywhere else;
- anything shaped like an SSN (ddd-dd-dddd) in a database column;
- a password, identity answer, telephone password, enrollment or recovery code column that does not
  hold a hash.
Encrypted columns hold ciphertext and sealed files are encrypted, so neither can match.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models

DIGIT_RUN = re.compile(rb"\d(?:[\d-]{4,20})\d")
SSN_SHAPE = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
MIN_SECRET_DIGITS = 6  # shorter account numbers would match by chance: skipped (and counted)
HASH_SHAPE = re.compile(r"^(?:[a-z0-9_]+\$|!)")  # Django's "algorithm$…", or an unusable password
CHUNK = 2000


@dataclass(frozen=True)
class Find:
    where: str  # "table.column row <pk>" or a file path
    what: str  # the kind of data, never the value

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def known_secrets() -> tuple[dict[str, str], int]:
    """{digits: kind} of the secrets the database holds encrypted, and how many were too short."""
    from tsc.filing.models import InformationReturnRecord
    from tsc.payments.models import BankAccount, Payment
    from tsc.taxpayers.models import Individual

    secrets: dict[str, str] = {}
    short = 0
    sources = [
        (Individual.objects.values_list("ssn", flat=True), "an individual's SSN"),
        # A payee TIN of type 1 is a business's EIN (public); type 2 (or unknown) is a person's SSN/ITIN.
        (InformationReturnRecord.objects.exclude(tin_type="1").values_list("payee_tin", flat=True), "a payee's TIN"),
        (BankAccount.objects.values_list("account_number", flat=True), "a bank account number"),
        (Payment.objects.values_list("account_number", flat=True), "a bank account number"),
    ]
    for values, kind in sources:
        for value in values.iterator(chunk_size=CHUNK):
            digits = _digits(value or "")
            if len(digits) >= MIN_SECRET_DIGITS:
                secrets.setdefault(digits, kind)
            elif digits:
                short += 1
    return secrets, short


def _encrypted_columns() -> set[tuple[str, str]]:
    from tsc.lib.pii import EncryptedTextField

    return {
        (model._meta.db_table, f.column)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedTextField)
    }


HASHED_COLUMNS = {
    ("accounts_login", "password"): "a password",
    ("accounts_login", "answer1_hash"): "an identity answer",
    ("accounts_login", "answer2_hash"): "an identity answer",
    ("accounts_login", "telephone_password_hash"): "a telephone password",
    ("accounts_enrollmentcode", "code_hash"): "an enrollment code",
    ("accounts_administratorrecoverycode", "code_hash"): "a recovery code",
}
TEXT_TYPES = (models.CharField, models.TextField, models.JSONField, models.EmailField)


def _text_columns() -> Iterator[tuple[str, str, list[str]]]:
    """(table, primary key column, [text columns]) for every table of the project's models."""
    skip = _encrypted_columns()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        table = model._meta.db_table
        columns = [
            f.column for f in model._meta.concrete_fields if isinstance(f, TEXT_TYPES) and (table, f.column) not in skip
        ]
        if columns:
            yield table, model._meta.pk.column, columns


def scan_database(secrets: dict[str, str]) -> list[Find]:
    finds: list[Find] = []
    quote = connection.ops.quote_name
    for table, pk, columns in _text_columns():
        selected = ", ".join(quote(c) for c in [pk, *columns])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {selected} FROM {quote(table)}")  # noqa: S608 - names from the models
            while rows := cursor.fetchmany(CHUNK):
                for row in rows:
                    for column, value in zip(columns, row[1:], strict=True):
                        if value is None or value == "":
                            continue
                        text = value if isinstance(value, str) else str(value)
                        where = f"{table}.{column} row {row[0]}"
                        if (table, column) in HASHED_COLUMNS:
                            if not HASH_SHAPE.match(text):
                                finds.append(Find(where, f"{HASHED_COLUMNS[table, column]} not hashed"))
                            continue
                        finds.extend(_in_text(text.encode("utf-8", "replace"), secrets, where))
                        if SSN_SHAPE.search(text):
                            finds.append(Find(where, "something shaped like an SSN"))
    return finds


def _in_text(data: bytes, secrets: dict[str, str], where: str) -> list[Find]:
    found = []
    for match in DIGIT_RUN.finditer(data):
        digits = match.group(0).replace(b"-", b"").decode()
        if digits in secrets:
            found.append(Find(where, f"{secrets[digits]} in clear"))
    return found


def scan_files(folders: list[Path], secrets: dict[str, str]) -> list[Find]:
    finds: list[Find] = []
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix in (".sqlite3", ".sqlite3-wal", ".sqlite3-shm") or path.name.endswith(
                (".sqlite3-wal", ".sqlite3-shm")
            ):
                continue  # the database itself is scanned column by column
            tail = b""
            with path.open("rb") as stream:
                while block := stream.read(1 << 20):
                    data = tail + block
                    finds.extend(_in_text(data, secrets, str(path)))
                    tail = data[-32:]
    # A secret straddling a block boundary is found in both reads: report each place once.
    return list(dict.fromkeys(finds))


def audit(extra_folders: list[Path] | None = None) -> tuple[list[Find], dict]:
    secrets, short = known_secrets()
    finds = scan_database(secrets)
    folders = [Path(settings.VAR_DIR), *(extra_folders or [])]
    finds += scan_files(folders, secrets)
    return finds, {"secrets": len(secrets), "too_short": short, "folders": [str(f) for f in folders]}
