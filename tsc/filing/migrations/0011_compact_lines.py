"""A return's lines stored compactly (issue 11, tsc/filing/stored_lines.py): each form layout once in
LineLayout, and per return its key and the amounts as text; lines of another shape stay whole in
the same column as before ("lines", now the field `full_lines`). Existing returns are converted
both ways. The conversion is copied here (not imported), so that this migration keeps doing what
it does if the application's code changes; tsc/filing/tests/test_stored_lines.py runs it."""

import hashlib
import json

from django.db import migrations, models

CHUNK = 2000


def _key(entries) -> str:
    text = json.dumps([list(e) for e in entries], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_KEYS = {"number", "label", "amount", "entered"}
_COLUMN_KEYS = {*_KEYS, "columns"}


def _plain(amount) -> bool:
    return type(amount) is str and amount != "" and " " not in amount


def _compacted(lines):
    if type(lines) is not list or not lines:
        return None
    entries, amounts = [], []
    for line in lines:
        if type(line) is not dict or (line.keys() != _KEYS and line.keys() != _COLUMN_KEYS):
            return None
        number, label, amount, entered = line["number"], line["label"], line["amount"], line["entered"]
        if type(number) is not str or type(label) is not str or type(entered) is not bool or not _plain(amount):
            return None
        amounts.append(amount)
        width = None
        if "columns" in line:
            if type(line["columns"]) is not list or not all(_plain(a) for a in line["columns"]):
                return None
            amounts.extend(line["columns"])
            width = len(line["columns"])
        entries.append((number, label, entered, width))
    return tuple(entries), " ".join(amounts)


def _lines_of(entries, text: str) -> list[dict]:
    amounts, out, i = text.split(" "), [], 0
    for number, label, entered, width in entries:
        line = {"number": number, "label": label, "amount": amounts[i], "entered": entered}
        i += 1
        if width is not None:
            line["columns"] = amounts[i : i + width]
            i += width
        out.append(line)
    if i != len(amounts):
        raise ValueError(f"{len(amounts)} amounts for a layout of {i}")
    return out


def _chunks(queryset):
    chunk = []
    for row in queryset.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def compact(apps, schema_editor):
    TaxReturn = apps.get_model("filing", "TaxReturn")
    LineLayout = apps.get_model("filing", "LineLayout")
    stored: set[str] = set()
    for chunk in _chunks(TaxReturn.objects.filter(line_layout__isnull=True).order_by("pk").only("full_lines")):
        layouts, changed = {}, []
        for r in chunk:
            found = _compacted(r.full_lines)
            if found is None:
                continue
            entries, amounts = found
            key = _key(entries)
            if key not in stored:
                layouts[key] = entries
            r.full_lines, r.line_layout, r.line_amounts = [], key, amounts
            changed.append(r)
        LineLayout.objects.bulk_create(
            [LineLayout(key=k, lines=[list(e) for e in v]) for k, v in layouts.items()], ignore_conflicts=True
        )
        stored |= layouts.keys()
        TaxReturn.objects.bulk_update(changed, ["full_lines", "line_layout", "line_amounts"])


def expand(apps, schema_editor):
    TaxReturn = apps.get_model("filing", "TaxReturn")
    LineLayout = apps.get_model("filing", "LineLayout")
    layouts = {layout.key: layout.lines for layout in LineLayout.objects.all()}
    compacted = TaxReturn.objects.filter(line_layout__isnull=False).order_by("pk")
    for chunk in _chunks(compacted.only("line_layout", "line_amounts")):
        for r in chunk:
            r.full_lines = _lines_of(layouts[r.line_layout], r.line_amounts)
            r.line_layout, r.line_amounts = None, ""
        TaxReturn.objects.bulk_update(chunk, ["full_lines", "line_layout", "line_amounts"])


class Migration(migrations.Migration):
    dependencies = [
        ("filing", "0010_fewer_constraints"),
    ]

    operations = [
        migrations.CreateModel(
            name="LineLayout",
            fields=[
                ("key", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("lines", models.JSONField()),
            ],
        ),
        # The column "lines" stays; the field is `full_lines` (`lines` reads either form).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="taxreturn", old_name="lines", new_name="full_lines"),
                migrations.AlterField(
                    model_name="taxreturn",
                    name="full_lines",
                    field=models.JSONField(blank=True, db_column="lines", default=list),
                ),
            ],
        ),
        migrations.AddField(
            model_name="taxreturn",
            name="line_layout",
            field=models.CharField(blank=True, help_text="LineLayout's key", max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="taxreturn",
            name="line_amounts",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.RunPython(compact, expand, elidable=False),
    ]
