"""Filing a batch of original returns (OS-114, CT-941) in one transaction: the File Import of a
Third Party Bulk Filer files thousands of them, and one transaction per return was its cost.

Each return ends exactly as `return_submit` would have left it: the same computation (the
form's, with the prior quarter's credit on CT-941 line 4), the fields `_mark_filed` sets, a
confirmation number from the same generator, a "return.filed" audit row with the same data
(and its own "by <firm login> for <client>"), and on-time returns processed by the ledger (one
task per batch, not one per return). What the batch cannot do safely it leaves to the caller's
per-return path (`fallback`), which then gives the same answer as if the batch had not existed:

- a token already used: that filing is the answer (a retry, a rerun after a crash);
- a period already filed, or holding a draft (the per-return path turns the draft into the
  return), or a second return of a period earlier in the batch;
- a CT-941 whose prior quarter is earlier in the batch but not filed by the batch itself;
- a unique constraint that fails at insert (someone filed a period after the batch looked): the
  whole batch rolls back and every return goes the per-return way.

The periods are locked in one query, in primary key order (two batches never deadlock), so a
return keyed by hand for one of them waits for the batch and then finds the period filed.
"""

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Lookup
from django.utils import timezone

from tsc.accounts.models import Login
from tsc.audit.services import acting_json, audit_rows_insert, json_string
from tsc.lib import sql
from tsc.lib.bulk_insert import insert_rows_with_ids
from tsc.lib.money import ZERO, cents
from tsc.taxpayers.models import FilingPeriod

from . import stored_lines
from .computations import Computation, ct941, quarter_months
from .forms_registry import RETURN_FORMS
from .models import MONEY, ReturnStatus, TaxReturn
from .services import _CONFIRMATION_ALPHABET, today

_LARGEST = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])  # what full_clean allows


class AnyOf(Lookup):
    """`column = ANY(%s)`, the values as one array parameter, on PostgreSQL; `column IN (…)`
    elsewhere. A batch looks up 1,000 values at a time: an IN list of 1,000 placeholders is parsed
    by the driver and planned by the server anew each time, an array is one parameter. Use it in
    filter(): `AnyOf(F("submission_token"), tokens)`."""

    lookup_name = "tsc_any_of"  # never registered: used as an expression only

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        if not self.rhs:
            return "1 = 0", []  # nothing is among no values (an empty array would be typeless)
        if connection.vendor == "postgresql":
            # Ids, UUIDs and dates for such columns go as they are (the field's conversion gives
            # them back unchanged on PostgreSQL); anything else is converted value by value.
            text = _array_text(self.rhs, _internal_type(field))
            if text is not None:
                return f"{lhs} = ANY(%s::{field.db_type(connection)}[])", [*lhs_params, text]
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in self.rhs]
        if connection.vendor == "postgresql":
            if (text := _array_text(values)) is not None:
                return f"{lhs} = ANY(%s::{field.db_type(connection)}[])", [*lhs_params, text]
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


_AS_THEY_ARE = {
    int: {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField"},
    uuid.UUID: {"UUIDField"},
    date: {"DateField"},
}


def _internal_type(field) -> str:
    """The field's type, or its target's for a foreign key (whose values are the target's)."""
    while field.is_relation:
        field = field.target_field
    return field.get_internal_type()


def _array_text(values, internal_type: str | None = None) -> str | None:
    """`sql.array_text` of `values`; with `internal_type`, only values of a type that column
    takes as it is (ids, UUIDs, dates)."""
    kinds = set(map(type, values))
    if internal_type is not None and (len(kinds) != 1 or internal_type not in _AS_THEY_ARE.get(kinds.pop(), ())):
        return None
    return sql.array_text(values)


def any_of(name: str, values) -> AnyOf:
    """The filter() condition: the field `name` (joins allowed, as in F) is one of `values`."""
    return AnyOf(F(name), values)


@dataclass
class ReturnItem:
    """One return to file: the period (with its registration, tax type and business loaded), what
    was typed, the submission token, and for the audit row how the filer acts ("by … for …")."""

    period: FilingPeriod
    values: dict[str, Decimal]
    submission_token: uuid.UUID
    acting: dict | None = None
    # The outcome: the filed return, or a problem, or `fallback` (file it with return_submit).
    tax_return: TaxReturn | None = None
    problem: str = ""
    fallback: bool = False
    computation: Computation | None = field(default=None, repr=False)
    # Worked out ahead by `prepare` (the day it computed for, the texts stored), or by the batch.
    computed_on: date | None = field(default=None, repr=False)
    data_json: str | None = field(default=None, repr=False)
    line_amounts: str | None = field(default=None, repr=False)  # the lines as stored beside the layout's key
    code: str = field(default="", repr=False)  # the tax type's, once read (`_code`)


def prepare(items: list[ReturnItem], *, filed_on: date) -> None:
    """Work out ahead what does not depend on what is filed (a File Import does it while the
    previous batch is being stored): each item's `data` as JSON text, and the computation and
    stored amounts of the lines of every return but a CT-941 (its line 4 is the credit of the prior quarter, read when
    the batch is filed). `returns_file` uses them if it files on `filed_on`, else computes again."""
    for item in items:
        item.data_json = _data_json(item.values)
        code = _code(item)
        form = RETURN_FORMS[code]
        if code != "WH" and form.compute is not None:
            item.computation = form.compute(item.values, period=item.period, amends=None, filed=filed_on)
            item.computed_on, item.line_amounts = filed_on, item.computation.amounts_text()


def returns_file(*, actor: Login | None, items: list[ReturnItem], looked_up: bool = False) -> list[ReturnItem]:
    """File the items' returns (originals, filed today) in one transaction; returns the items, each
    with its `tax_return`, its `problem`, or `fallback` set. Call outside any transaction.
    `looked_up`: `returns_found` has already set the returns filed with the items' tokens."""
    if not looked_up:
        returns_found(items)
    todo = [item for item in items if item.tax_return is None]
    if not todo:
        return items
    try:
        with transaction.atomic():
            _file(actor, todo)
    except IntegrityError:
        # Someone filed one of the periods (or used a token) after the batch looked: nothing of
        # the batch was kept; each return goes the per-return way, which says which one it was.
        for item in todo:
            item.tax_return, item.problem, item.fallback = None, "", True
    return items


def _code(item: ReturnItem) -> str:
    """The item's tax type code (ST, WH), kept on the item: read through two relations once."""
    if not item.code:
        item.code = item.period.registration.tax_type.code
    return item.code


def returns_found(items: list[ReturnItem]) -> None:
    """Each item's return already filed with its submission token (a retry, a rerun after a
    crash), or None: `tax_return`. One look-up for the batch."""
    if not items:
        return
    found = TaxReturn.objects.filter(any_of("submission_token", [i.submission_token for i in items])).order_by()
    by_token = {t.submission_token: t for t in found}
    for item in items:
        item.tax_return = by_token.get(item.submission_token)


def _file(actor: Login | None, items: list[ReturnItem]) -> None:
    period_ids = sorted({i.period.pk for i in items})
    list(FilingPeriod.objects.select_for_update().filter(any_of("pk", period_ids)).order_by("pk").values_list("pk"))
    busy = _busy_periods(period_ids)
    codes = [_code(i) for i in items]  # each item's tax type code, read once
    prior = _prior_credits([i.period for i, code in zip(items, codes, strict=True) if code == "WH"])
    filed_on = today()
    seen: set[int] = set()  # periods of the batch's items so far
    deferred: set[tuple[int, date]] = set()  # (registration, period end) left to the per-return path
    batched: dict[tuple[int, date], ReturnItem] = {}  # (registration, period end) → filed by the batch
    to_insert: list[ReturnItem] = []
    for item, code in zip(items, codes, strict=True):
        period = item.period
        carried = (period.registration_id, period.period_start - timedelta(days=1))
        # Its period filed, or with a draft, or earlier in the batch; or its prior quarter (the
        # credit on line 4) filed the per-return way, after the batch; or a form computed from
        # attached records (CT-1096), which this batch does not file.
        form = RETURN_FORMS[code]
        period_id = period.pk
        if period_id in busy or period_id in seen or carried in deferred or form.compute is None:
            item.fallback = True
            deferred.add((period.registration_id, period.period_end))
            seen.add(period_id)
            continue
        seen.add(period_id)
        if code == "WH":
            earlier = batched.get(carried)
            credit = earlier.computation.credit if earlier is not None else prior.get(carried, ZERO)
            item.computation = ct941(
                item.values,
                due=period.due_date,
                filed=filed_on,
                prior_credit=credit,
                months=quarter_months(period.period_end),
            )
            item.computed_on, item.line_amounts = filed_on, None
        elif item.computation is None or item.computed_on != filed_on:  # not prepared for today
            item.computation = form.compute(item.values, period=period, amends=None, filed=filed_on)
            item.computed_on, item.line_amounts = filed_on, None
        if problem := _too_large(item.computation):
            item.problem, item.computation = problem, None
            continue
        batched[(period.registration_id, period.period_end)] = item
        to_insert.append(item)
    _insert(actor, to_insert, filed_on)


def _busy_periods(period_ids: list[int]) -> set[int]:
    """The periods among `period_ids` with an original return filed, or a draft. Each half is
    read by its partial unique index (one_original_return_per_period, one_draft_per_period),
    whatever the table's statistics say (a table that grew by the import itself has none)."""
    originals = TaxReturn.objects.filter(any_of("period_id", period_ids), status=ReturnStatus.FILED, amends=None)
    drafts = TaxReturn.objects.filter(any_of("period_id", period_ids), status=ReturnStatus.DRAFT)
    found = originals.order_by().values_list("period_id", flat=True)
    return set(found.union(drafts.order_by().values_list("period_id", flat=True), all=True).order_by())


def _prior_credits(periods: list[FilingPeriod]) -> dict[tuple[int, date], Decimal]:
    """CT-941 line 4 for each period: the credit of the latest return filed for the quarter before
    (as selectors.prior_quarter_credit, for all the periods in one query)."""
    if not periods:
        return {}
    wanted = {(p.registration_id, p.period_start - timedelta(days=1)) for p in periods}
    # The prior quarters' periods first, then their returns by period: each look-up by an index,
    # whatever the statistics say (a hash join over every filed return otherwise).
    prior_periods = {p.pk: (p.registration_id, p.period_end) for p in periods_at(wanted)}

    # The returns filed for them: originals by their partial unique index, amendments by theirs.
    def filed(amended: bool):
        found = TaxReturn.objects.filter(any_of("period_id", prior_periods), status=ReturnStatus.FILED)
        return found.filter(amends__isnull=not amended).order_by().values_list("period_id", "filed_at", "pk", "credit")

    found = sorted(filed(False).union(filed(True), all=True).order_by(), key=_filed_order)
    return {prior_periods[period_id]: credit for period_id, _, _, credit in found}  # the latest wins


def _filed_order(row: tuple) -> tuple:
    """(filed_at, pk) ascending, as ORDER BY filed_at, id on PostgreSQL (no filing time last)."""
    return (row[1] is None, row[1] or _NEVER, row[2])


_NEVER = datetime.min.replace(tzinfo=UTC)


def _too_large(computation: Computation) -> str:
    amounts = (computation.tax_due, computation.credit, computation.penalty, computation.interest)
    if any(abs(a) >= _LARGEST for a in (*amounts, computation.amount_due)):
        return "An amount on this return is too large: check the amounts in the row."
    return ""


def _insert(actor: Login | None, items: list[ReturnItem], filed_on: date) -> None:
    if not items:
        return
    now = timezone.now()
    filed_at = (
        now if filed_on == timezone.localdate(now) else timezone.make_aware(datetime.combine(filed_on, time(10, 0)))
    )
    actor_id = actor.pk if actor is not None else None  # None: an API client's import
    numbers = confirmation_numbers_new(len(items))
    filed = ReturnStatus.FILED.value
    # In _COLUMNS order but the id: the fields _mark_filed and _apply set, data as JSON text, the
    # lines as their layout's key and the amounts (tsc/filing/stored_lines.py).
    rows = []
    layouts = {}  # key → entries of the batch's layouts, stored first
    for item, number in zip(items, numbers, strict=True):
        period, c = item.period, item.computation
        registration = period.registration
        rows.append(
            (
                registration.business_id,
                registration.tax_type_id,
                period.pk,
                RETURN_FORMS[_code(item)].name,
                filed,
                None,
                item.data_json if item.data_json is not None else _data_json(item.values),
                "[]",
                c.layout.key,
                item.line_amounts if item.line_amounts is not None else c.amounts_text(),
                c.tax_due,
                c.credit,
                c.penalty,
                c.interest,
                c.amount_due,
                0,
                number,
                item.submission_token,
                actor_id,
                actor_id,
                now,
                now,
                filed_at,
                filed_on,
            )
        )
        layouts[c.layout.key] = c.layout.entries
    stored_lines.layouts_store(layouts)
    returns = _store(rows)
    for item, r in zip(items, returns, strict=True):
        r._state.fields_cache["period"] = item.period
        item.tax_return = r
    acting_texts: dict[int, str] = {}  # id of an item's acting → its JSON (items share them)
    for item in items:
        if id(item.acting) not in acting_texts:
            acting_texts[id(item.acting)] = acting_json(item.acting)
    audit_rows_insert(
        event="return.filed",
        actor=actor,
        target_type=TaxReturn._meta.label,
        rows=[
            (
                r.pk,
                r.business_id,
                # What return_submit's audit row says (as json.dumps writes it), and who acts for whom.
                _AUDIT_DATA
                % (
                    json_string(r.form),
                    item.period.period_end.isoformat(),
                    r.confirmation_number,
                    r.amount_due,
                    acting_texts[id(item.acting)],
                ),
            )
            for r, item in zip(returns, items, strict=True)
        ],
    )
    on_time = [r.pk for r, item in zip(returns, items, strict=True) if filed_on <= item.period.due_date]
    if on_time:
        # On time: DRS processes them at once (tsc/ledger), one task for the batch. Late ones wait.
        from tsc.ledger.tasks import process_returns

        transaction.on_commit(lambda: process_returns.enqueue(on_time))


_AUDIT_DATA = '{"form": %s, "period_end": "%s", "confirmation_number": "%s", "amended": false, "amount_due": "%s"%s}'


def _data_json(values: dict[str, Decimal]) -> str:
    """TaxReturn.data as return_submit stores it ({key: str(cents(amount))}), as JSON text."""
    return "{" + ", ".join(f'{json_string(k)}: "{cents(v)}"' for k, v in values.items()) + "}"


def confirmation_numbers_new(count: int) -> list[str]:
    """`count` confirmation numbers as `confirmation_number_new` makes them ('TSC-7K2M-9QXA-4D8H',
    12 characters of the same alphabet, each uniformly random and unguessable), from one draw of
    random bytes: a byte below the largest multiple of the alphabet's size is a character (its
    remainder), the others are thrown away."""
    size = 12 * count
    chars = b""
    while len(chars) < size:
        chars += secrets.token_bytes(size - len(chars) + size // 8 + 16).translate(_TO_CHARACTER, _DISCARDED)
    text = chars[:size].decode()
    return [f"TSC-{text[i : i + 4]}-{text[i + 4 : i + 8]}-{text[i + 8 : i + 12]}" for i in range(0, size, 12)]


_LIMIT = 256 - 256 % len(_CONFIRMATION_ALPHABET)  # 240: 8 times each of the 30 characters
_TO_CHARACTER = bytes(ord(_CONFIRMATION_ALPHABET[b % len(_CONFIRMATION_ALPHABET)]) for b in range(256))
_DISCARDED = bytes(range(_LIMIT, 256))


_COLUMNS = (
    "id",
    "business_id",
    "tax_type_id",
    "period_id",
    "form",
    "status",
    "amends_id",
    "data",
    "full_lines",
    "line_layout",
    "line_amounts",
    "tax_due",
    "credit",
    "penalty",
    "interest",
    "amount_due",
    "record_count",
    "confirmation_number",
    "submission_token",
    "created_by_id",
    "filed_by_id",
    "created_at",
    "updated_at",
    "filed_at",
    "filed_on",
)


def _store(rows: list[tuple]) -> list[TaxReturn]:
    """Insert the rows (columns of _COLUMNS but the id) and return them as TaxReturn objects
    (data, full lines and line amounts deferred: loaded if read)."""
    if tuple(f.attname for f in TaxReturn._meta.concrete_fields) != _COLUMNS:
        raise RuntimeError("TaxReturn's fields changed: update tsc/filing/batch.py's _COLUMNS and rows.")
    ids = insert_rows_with_ids(TaxReturn, _COLUMNS[1:], rows, unique="submission_token")
    # Made as Model.from_db would leave them (the deferred fields absent), by `sql.loader`.
    make = sql.loader(TaxReturn, connection.alias, _LOADED)
    return [make((pk, *row[:6], row[8], *row[10:]), {}) for pk, row in zip(ids, rows, strict=True)]


_DEFERRED = ("data", "full_lines", "line_amounts")
_LOADED = tuple(name for name in _COLUMNS if name not in _DEFERRED)


def periods_at(pairs) -> list[FilingPeriod]:
    """The filing periods of these (registration id, period end) pairs, as `instances` makes them.
    On PostgreSQL, one probe of the (registration, period end) index a pair: the pairs go as two
    arrays, zipped by `unnest` and joined with the periods, a plan that holds for any number of
    them once the statement is prepared. By the two columns' arrays apart, the server read every
    period of the batch's registrations (40 each in the bench, more as the years go by) and
    searched the ends one by one for each: 8-14 ms a batch of 1,000, against 4-7."""
    pairs = set(pairs)
    if not pairs:
        return []
    fields = FilingPeriod._meta.concrete_fields
    if connection.vendor != "postgresql":
        wanted = FilingPeriod.objects.filter(
            any_of("registration_id", {r for r, _ in pairs}), any_of("period_end", {e for _, e in pairs})
        )
        return [p for p in instances(wanted.order_by()) if (p.registration_id, p.period_end) in pairs]
    registrations, ends = zip(*pairs, strict=True)
    quote = connection.ops.quote_name
    registration, end = (quote(FilingPeriod._meta.get_field(name).column) for name in ("registration", "period_end"))
    query = (
        f"SELECT {', '.join(f'p.{quote(f.column)}' for f in fields)} "  # noqa: S608 - names from the model
        f"FROM unnest(%s::bigint[], %s::date[]) AS w(registration, period_end) "
        f"JOIN {sql.table(FilingPeriod)} p ON p.{registration} = w.registration AND p.{end} = w.period_end"
    )
    rows = sql.fetch(FilingPeriod, query, [sql.array_text(registrations), sql.array_text(ends)], fields)
    make = sql.loader(FilingPeriod, connection.alias, [f.attname for f in fields])
    return [make(row, {}) for row in rows]


def instances(queryset) -> list:
    """The rows of `queryset` as instances of its model, every concrete field loaded, made by
    `sql.loader` (without the per-field descriptors: a File Import reads its 50,000 periods)."""
    names = [f.attname for f in queryset.model._meta.concrete_fields]
    rows = queryset.values_list(*names)
    make = sql.loader(queryset.model, rows.db, names)
    return [make(row, {}) for row in rows]
