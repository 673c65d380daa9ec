"""Inserting many rows of one model fast: COPY on PostgreSQL (psycopg 3), one prepared INSERT run
with executemany on SQLite.

The ORM's bulk_create builds its SQL anew for every batch and converts every value through every
field; for a batch of thousands of rows that is most of the time. Here the columns are the
model's own (attribute names checked against _meta), the caller hands values as the database
takes them (JSON columns as JSON text), and only the few types SQLite stores differently from
what Python gives (UUIDs, aware datetimes) are converted, once per value.
"""

from collections.abc import Callable, Sequence

from django.db import connection, models


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in names]  # a KeyError for a name that is not a column


def _sqlite_converter(field: models.Field) -> Callable | None:
    if isinstance(field, models.UUIDField):
        return lambda v: v.hex if v is not None else None
    if isinstance(field, models.DateTimeField):
        return _last_remembered(connection.ops.adapt_datetimefield_value)
    return None


def _last_remembered(convert: Callable) -> Callable:
    """`convert`, remembering its last value: a batch's rows share their timestamps."""
    last: list = [object(), None]

    def converted(value):
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert `rows` (tuples in the order of `names`, the model's attribute names) into the
    model's table, inside the caller's transaction."""
    if not rows:
        return
    fields = _columns(model, names)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Names come from the model's metadata, never from input; values go through COPY. The
            # raw cursor's errors are turned into Django's (an IntegrityError the caller catches).
            dated = [i for i, f in enumerate(fields) if isinstance(f, models.DateField)]  # datetimes too
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                if not dated:
                    for row in rows:
                        copy.write_row(row)
                    return
                # Dates and times go as their text, made once per value: a batch's rows share a few
                # (its timestamps, the periods' ends), and psycopg takes 1.9 us to write a datetime,
                # 0.3 us a text. PostgreSQL reads str() of one as the same date or instant.
                texts: dict = {}
                for row in rows:
                    row = list(row)
                    for i in dated:
                        if (value := row[i]) is not None:
                            text = texts.get(value)
                            if text is None:
                                text = texts[value] = str(value)
                            row[i] = text
                    copy.write_row(row)
            return
        converters = [(i, c) for i, f in enumerate(fields) if (c := _sqlite_converter(f)) is not None]
        if converters:
            converted = []
            for row in rows:
                row = list(row)
                for i, convert in converters:
                    row[i] = convert(row[i])
                converted.append(row)
            rows = converted
        # Names come from the model's metadata, never from input; values are bound parameters.
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


# Rows per INSERT statement in insert_columns on SQLite: past a hundred or so it gains nothing more.
ROWS_PER_STATEMENT = 100


def insert_columns(model: type[models.Model], names: Sequence[str], columns: Sequence[Sequence]) -> None:
    """`insert_rows` for rows given column by column (one sequence of values per name in `names`,
    all as long). On SQLite the rows go ROWS_PER_STATEMENT to an INSERT (one VALUES list of many
    rows): the same rows in the same order as `insert_rows` stores, at two thirds of its cost,
    and without a tuple made for each row. On PostgreSQL it is `insert_rows` (COPY)."""
    count = len(columns[0]) if columns else 0
    if not count:
        return
    if any(len(column) != count for column in columns):
        raise ValueError("every column must hold a value for each row")
    if connection.vendor != "sqlite":
        insert_rows(model, names, list(zip(*columns, strict=True)))
        return
    fields = _columns(model, names)
    width = len(fields)
    values: list = [None] * (width * count)
    for at, (field, column) in enumerate(zip(fields, columns, strict=True)):
        convert = _sqlite_converter(field)
        values[at::width] = column if convert is None else list(map(convert, column))
    per = max(1, min(ROWS_PER_STATEMENT, connection.features.max_query_params // width))
    quote = connection.ops.quote_name
    # Names come from the model's metadata, never from input; values are bound parameters.
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "  # noqa: S608
    row = "(" + ", ".join(["%s"] * width) + ")"
    step = per * width
    whole = count // per * step
    with connection.cursor() as cursor:
        if whole:
            cursor.executemany(
                insert + ", ".join([row] * per), [values[at : at + step] for at in range(0, whole, step)]
            )
        if whole < len(values):
            cursor.execute(insert + ", ".join([row] * (count % per)), values[whole:])


def insert_copy_text(model: type[models.Model], names: Sequence[str], text: str) -> None:
    """PostgreSQL only: COPY `text`, rows already written in COPY's text format (a line per row,
    values in the order of `names` separated by tabs, backslashes doubled), into the model's
    table, inside the caller's transaction. For a caller that builds a whole batch's text with a
    few joins instead of handing the rows one by one to `insert_rows`."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("COPY text is for PostgreSQL; use insert_rows")
    if not text:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in _columns(model, names))
    # Names come from the model's metadata, never from input; the values are COPY's data.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        copy.write(text)


def insert_rows_with_ids(
    model: type[models.Model], names: Sequence[str], rows: Sequence[tuple], *, unique: str
) -> list:
    """`insert_rows` for new rows whose primary keys the caller needs (COPY gives none back):
    drawn from the table's sequence first on PostgreSQL, read back by the unique column `unique`
    (one of `names`) on SQLite, where the caller's transaction holds the write lock. Returns the
    primary keys in the order of `rows`."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        insert_rows(model, (model._meta.pk.attname, *names), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        return ids
    insert_rows(model, names, rows)
    at = list(names).index(unique)
    keys = [row[at] for row in rows]
    found = dict(model._default_manager.filter(**{f"{unique}__in": keys}).values_list(unique, "pk"))
    return [found[key] for key in keys]
