"""File Import of an IRS Publication 1220 file with many payers: each A record is a client of
the firm matched by FEIN (Business.fein is stored like "06-1234567"); its Connecticut B records
become that client's CT-1096 for the payment year, filed whole or not at all (a transmittal
reports every record). A problem in a payer's records rejects that payer only; a problem of the
file itself (T or F record) rejects the file. The records' checks are the Publication 1220
reader's, as for a business's own upload."""

import bisect
from dataclasses import dataclass
from datetime import date

from tsc.accounts.acting import Acting
from tsc.accounts.rights import Action, may
from tsc.filing import services as filing
from tsc.lib.errors import ServiceError
from tsc.lib.formats import pub1220
from tsc.lib.formats.pub1220_layout import SLICES
from tsc.lib.formats.records import CFSF_STATE_CODES, Parsed
from tsc.taxpayers.models import TaxType

from .import_run import Outcome, acting_for, open_file, store, submission_token
from .models import BulkFiler, BulkImport, ClientAuthorization, ImportRecord

NOT_A_CLIENT_FEIN = "None of your clients has this payer's FEIN. Check it, or ask the business to authorize your firm."
_A_TIN = SLICES["A"]["Payer TIN"]


@dataclass
class _Payers:
    """Where each payer's records are: A record numbers (ascending) and their TINs."""

    starts: list[int]
    tins: list[str]
    year: int | None
    end: int  # the F record's number, or past the last record

    def tin_of(self, record_number: int) -> str | None:
        """The TIN of the payer whose records hold `record_number`; None for the T and F records."""
        if record_number >= self.end:
            return None
        i = bisect.bisect_right(self.starts, record_number) - 1
        return self.tins[i] if i >= 0 else None


def _scan(bulk_import: BulkImport) -> _Payers:
    """A first, light pass: where each payer's records start, and the payment year."""
    starts, tins, year, end, n = [], [], None, 0, 0
    with open_file(bulk_import) as stream:
        for n, line in enumerate(pub1220._lines(stream), 1):  # noqa: B007 - n is read after the loop
            kind = line.text[:1]
            if kind == "T" and year is None and line.text[1:5].isdigit():
                year = int(line.text[1:5])
            elif kind == "A":
                starts.append(n)
                tins.append(line.text[_A_TIN])
            elif kind == "F" and not end:
                end = n
    return _Payers(starts, tins, year, end or n + 1)


def _fein_shown(tin: str) -> str:
    return f"FEIN ending {tin[-4:]}" if tin.strip() else "No FEIN"


def process_pub1220(bulk_import: BulkImport) -> None:
    payers = _scan(bulk_import)
    problems: dict[int, list[str]] = {}
    records: dict[str, list[Parsed]] = {tin: [] for tin in payers.tins}
    broken: dict[str | None, int] = {}  # payer TIN (None: the file itself) → its first record with a problem
    with open_file(bulk_import) as stream:
        for item in pub1220.read(stream):
            if isinstance(item, pub1220.Problem):
                problems.setdefault(item.record_number, []).append(f"{item.field} {item.reason}")
                broken.setdefault(payers.tin_of(item.record_number), item.record_number)
            else:
                records.setdefault(item.record.payer_tin, []).append(item)
    outcomes = {n: Outcome(n, "; ".join(reasons)) for n, reasons in problems.items()}
    clients = _clients_by_fein(bulk_import.bulk_filer, set(records))
    non_wage = TaxType.objects.get(code=TaxType.WITHHOLDING_NON_WAGE)
    for tin, group in records.items():
        authorization = clients.get(tin)
        mine = [n for n in problems if payers.tin_of(n) == tin]
        if authorization is None:
            found = [Outcome(n, NOT_A_CLIENT_FEIN) for n in [*(p.record_number for p in group), *mine]]
        else:
            found = _file_payer(bulk_import, payers, tin, group, authorization, broken, non_wage)
        for outcome in found:
            kept = outcomes.setdefault(outcome.record_number, outcome)
            if kept is not outcome and (authorization is None or not kept.reason):
                kept.reason = outcome.reason
        for n in [*(p.record_number for p in group), *mine]:
            outcome = outcomes[n] if n in outcomes else outcomes.setdefault(n, Outcome(n))
            outcome.client_number = authorization.client.registration_number if authorization else _fein_shown(tin)
            outcome.client_id = authorization.client_id if authorization else None
            outcome.tax_type_code = TaxType.WITHHOLDING_NON_WAGE
            outcome.period_end = date(payers.year, 12, 31) if payers.year else None
    ImportRecord.objects.filter(bulk_import=bulk_import).delete()  # a re-run starts over: tokens file once
    store(bulk_import, sorted(outcomes.values(), key=lambda o: o.record_number))


def _clients_by_fein(bulk_filer: BulkFiler, tins: set[str]) -> dict[str, ClientAuthorization]:
    wanted = {f"{t[:2]}-{t[2:]}": t for t in tins} | {t: t for t in tins}
    found = ClientAuthorization.objects.filter(
        bulk_filer=bulk_filer, revoked_at__isnull=True, client__fein__in=list(wanted)
    ).select_related("client", "bulk_filer")
    return {wanted[a.client.fein]: a for a in found}


def _elsewhere(code: str) -> str:
    return (
        f"Coded for state {code} ({CFSF_STATE_CODES.get(code, '?')}): another state's withholding is not "
        "Connecticut tax. File this record with that state."
    )


def _file_payer(bulk_import, payers, tin, group, authorization, broken, non_wage) -> list[Outcome]:
    """One client's CT-1096 from its payer's B records (a record with its own problem keeps it)."""

    def every(reason: str) -> list[Outcome]:
        return [Outcome(p.record_number, reason) for p in group]

    if None in broken:
        return every(f"Not filed: the file has a problem (see record {broken[None]}).")
    if tin in broken:
        return every(f"Not filed: a record of this payer has a problem (see record {broken[tin]}).")
    ctx = Acting.bulk_filer_for(bulk_import.uploaded_by, authorization)
    if not may(ctx, Action.SUBMIT_RETURN, tax_type=non_wage):
        return every("Your login may not file returns for this client.")
    connecticut = [p for p in group if p.record.is_connecticut]
    elsewhere = [
        Outcome(p.record_number, _elsewhere(p.record.state_code)) for p in group if not p.record.is_connecticut
    ]
    if not connecticut:
        return elsewhere
    registration = filing.registration_for_filing(business=authorization.client, tax_type=non_wage)
    period = registration.periods.filter(period_end=date(payers.year or 1, 12, 31)).first() if registration else None
    if period is None:
        return every(f"There is no CT-1096 filing period for payment year {payers.year} for this client.")
    with acting_for(ctx):
        try:
            tax_return = filing.ct1096_file(
                actor=bulk_import.uploaded_by,
                period=period,
                records=[p.record for p in connecticut],
                submission_token=submission_token(bulk_import, f"ct1096:{tin}"),
            )
        except ServiceError as error:
            return [Outcome(p.record_number, error.message) for p in connecticut] + elsewhere
    return [Outcome(p.record_number, tax_return=tax_return) for p in connecticut] + elsewhere
