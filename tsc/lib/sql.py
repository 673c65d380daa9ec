"""Queries written out for the pages read on every visit (issue 13).

Building a query through the ORM costs a data page 0.3-1 ms of Python a query, more than the
database takes to answer it; the few queries behind the taxpayer's data pages are written out
here instead, with their tables and columns taken from the models, their values converted as
the ORM converts them (`fetch`), and tested against the ORM's answer. Everything else stays on
the ORM.
"""

from django.db import connections, router
from django.db.models.expressions import Col


def placeholders(count: int) -> str:
    """`(%s, %s, …)` for an IN list of `count` values (psycopg 3 and SQLite take them one by one)."""
    return "(" + ", ".join(["%s"] * count) + ")"


def in_subquery(model, column: str, subquery: str) -> str:
    """`column IN (subquery)`, written for PostgreSQL as `column = ANY(ARRAY(subquery))`: the
    subquery runs once and the column is compared with its values, whatever the planner guesses
    of the taxpayer's size. A statement prepared once is planned for an average taxpayer, and for
    a large one an IN joined the rows as if there were a handful (issue 13: a payment list went
    from 6 to 9 ms on the 3,000-payment business)."""
    if connections[router.db_for_read(model)].vendor == "postgresql":
        return f"{column} = ANY(ARRAY({subquery}))"
    return f"{column} IN ({subquery})"


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
