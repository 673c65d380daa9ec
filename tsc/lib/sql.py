"""Queries written out for the pages read on every visit (issue 13).

Building a query through the ORM costs a data page 0.3-1 ms of Python a query, more than the
database takes to answer it; the few queries behind the taxpayer's data pages are written out
here instead, with their tables and columns taken from the models, their values converted as
the ORM converts them (`fetch`), and tested against the ORM's answer. Everything else stays on
the ORM.
"""

import uuid
from datetime import date

from django.db import connections, router
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.expressions import Col


def placeholders(count: int) -> str:
    """`(%s, %s, …)` for an IN list of `count` values (psycopg 3 and SQLite take them one by one)."""
    return "(" + ", ".join(["%s"] * count) + ")"


def loader(model, alias: str, names):
    """A function making an instance of `model` for a row read from `alias`, from its `values`
    for the fields `names` (every concrete field, by attribute name) and the `related` objects
    already in hand (foreign keys by field name), as `Model.from_db` and setting them leave it,
    without the per-field descriptors: a third of the time (issue 13). When anything listens to
    the model's pre_init or post_init signal (asked once, for all the rows of a query), it makes
    them through `from_db` as usual."""
    names = list(names)
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):

        def through_from_db(values, related: dict):
            instance = model.from_db(alias, names, list(values))
            for name, other in related.items():
                setattr(instance, name, other)
            return instance

        return through_from_db

    new, update = model.__new__, dict.update

    def plain(values, related: dict):
        instance = new(model)
        update(instance.__dict__, zip(names, values, strict=True))
        state = ModelState()
        state.adding, state.db = False, alias
        state.fields_cache.update(related)
        instance._state = state
        return instance

    return plain


def any_of(model, column: str, ids) -> tuple[str, list]:
    """`column` is one of the integer `ids`, with its parameters: on PostgreSQL `column =
    ANY(%s::bigint[])` with the ids as one array, written as text here (psycopg's list dumper
    looks at every element), so that the statement is the same text whatever their number and is
    prepared once (a long IN list is parsed and planned again on every call); elsewhere an IN list."""
    ids = [int(i) for i in ids]
    if connections[router.db_for_read(model)].vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [array_text(ids)]
    return f"{column} IN {placeholders(len(ids))}", ids


def array_text(values) -> str | None:
    """Integers, UUIDs, dates or strings (all of one type) as PostgreSQL's text of an array of
    them ('{1,2,3}'): one text parameter to cast to the column's array type, where psycopg's list
    dumper looks at every element (1,000 tokens cost it about 0.5 ms). None for anything else."""
    kinds = set(map(type, values))
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind in (int, uuid.UUID, date):  # exactly these types: their str() is what PostgreSQL reads
        return "{" + ",".join(map(str, values)) + "}"
    if kind is str:
        return "{" + ",".join(['"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values]) + "}"
    return None


def table(model) -> str:
    return f'"{model._meta.db_table}"'


def field(model, name: str):
    return model._meta.get_field(name)


def fetch(model, sql: str, params, fields=()) -> list[tuple]:
    """The rows of `sql` on the database `model` is read from. `fields` (model fields or None,
    one per column, from the first) convert each value as the ORM would (SQLite's dates, decimals
    and booleans, and any field's own `from_db_value`); the columns after them come as read."""
    connection = connections[router.db_for_read(model)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converting = []
    for i, f in enumerate(fields):
        if f is None:
            continue
        expression = Col("_", f)
        converters = connection.ops.get_db_converters(expression) + f.get_db_converters(connection)
        if converters:
            converting.append((i, converters, expression))
    if not converting:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for i, converters, expression in converting:
            value = row[i]
            for converter in converters:
                value = converter(value, expression, connection)
            row[i] = value
        out.append(tuple(row))
    return out


class KeyedList:
    """A long list read a page at a time by `paging.page_of_groups`, ordered by `key` (newest
    first) and then by `then`: the page counts the rows of each key, then reads only the rows of
    the keys it spans. One query that sorted every row with a count over them all took most of a
    data page's time (issue 13).

    `source` is the FROM and WHERE of the rows (with `params`); `columns` are (SQL, name, model
    field or None) of what each row shows, handed back as dicts by name. `rows_source`, when
    given, is the same rows with the same parameters, written for reading a page's few of them
    (a join may suit them where counting them all is cheaper without). `empty` lists nothing
    without asking the database."""

    def __init__(
        self,
        model,
        *,
        source: str,
        params: list,
        key: str,
        key_field,
        columns,
        then: str,
        empty=False,
        rows_source: str | None = None,
    ):
        self.model, self.source, self.params = model, source, params
        self.rows_source = rows_source or source
        self.key, self.key_field, self.then, self.empty = key, key_field, then, empty
        self.select = ", ".join(expression for expression, _, _ in columns)
        self.names = [name for _, name, _ in columns]
        self.fields = [f for _, _, f in columns]

    def counts(self) -> list[tuple]:
        if self.empty:
            return []
        query = f"SELECT {self.key}, COUNT(*) {self.source} GROUP BY {self.key} ORDER BY {self.key} DESC"
        return fetch(self.model, query, self.params, [self.key_field])

    def rows(self, first, last, skip: int, limit: int) -> list[dict]:
        query = (
            f"SELECT {self.select} {self.rows_source} AND {self.key} BETWEEN %s AND %s "  # noqa: S608 - names from the models
            f"ORDER BY {self.key} DESC, {self.then} LIMIT %s OFFSET %s"
        )
        found = fetch(self.model, query, [*self.params, last, first, limit, skip], self.fields)
        return [dict(zip(self.names, row, strict=True)) for row in found]
