"""Data for the benchmarks: a Publication 1220 file of N payees written as a stream, and the
Upload row that points at it (stored, sealed, like a real upload). Django must be set up."""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

FEIN = "061234567"


def fresh_postgres(url: str) -> None:
    """Create the bench's PostgreSQL database afresh (dropped first if a run left it)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


class Payees(Sequence):
    """N payees made on demand, so the writer streams them."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        from tsc.lib.formats.records import InformationReturn

        if not 0 <= i < self.n:
            raise IndexError(i)
        return InformationReturn(
            form="1099-NEC",
            payer_tin=FEIN,
            payee_tin=f"{100000000 + i:09d}",
            tin_type="2",
            payee_name=f"PAYEE NUMBER {i}",
            payee_address=f"{i % 999 + 1} MAIN ST",
            payee_city="HARTFORD",
            payee_state="CT",
            payee_zip="06103",
            amounts=(("1", Decimal(1000 + i % 5000)),),
            state_tax_withheld=Decimal(i % 300) + Decimal("0.25"),
        )


def write_file(path: Path, n: int, year: int, *, name: str = "BENCH CO") -> None:
    from tsc.lib.formats import pub1220

    with open(path, "w", encoding="ascii", newline="") as out:
        pub1220.write(
            pub1220.Transmitter(year=year, tin=FEIN, tcc="12ABC", name=name, company_name=name),
            [
                (
                    pub1220.Payer(
                        tin=FEIN,
                        name=name,
                        address="1 MAIN ST",
                        city="HARTFORD",
                        state="CT",
                        zip="06103",
                        form="1099-NEC",
                    ),
                    Payees(n),
                )
            ],
            out,
        )


def make_upload(business, period, path: Path, expected: int = 0):
    """The Upload row of a received file; `expected` is the record count upload_receive would
    have estimated (B lines), which decides whether a child process checks it."""
    from django.core.files import File

    from tsc.filing.models import Upload, UploadKind

    with open(path, "rb") as f:
        upload = Upload(
            token=uuid.uuid4(),
            business=business,
            period=period,
            kind=UploadKind.PUB1220,
            original_name=path.name,
            size=path.stat().st_size,
            sha256="0" * 64,
            expected_records=expected,
        )
        upload.file.save("upload", File(f), save=False)
        upload.save()
    return upload
