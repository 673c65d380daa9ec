"""FastBoundField writes the markup of forms/field.html and of Django's widget templates in Python
(issue 13): the same HTML, up to the whitespace between tags, as the templates render."""

import re
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape as django_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import example, given
from hypothesis import strategies as st

from tsc.filing.forms import HistorySearchForm
from tsc.ledger.forms import AccountSearchForm
from tsc.lib.fields import SlashedDateField, slashed_date
from tsc.lib.forms import FastBoundField, UswdsForm
from tsc.lib.forms import conditional_escape as fast_escape
from tsc.payments.forms import PaymentSearchForm

TODAY = date(2026, 12, 1)
TAX_TYPES = [
    SimpleNamespace(pk=1, code="ST", name="Sales and Use Tax"),
    SimpleNamespace(pk=2, code="WH", name='Withholding <&> "quoted"'),
]


def normalized(html: str) -> str:
    """Whitespace between tags and runs of blanks do not matter; everything else does."""
    return re.sub(r"\s+", " ", re.sub(r">\s*\n\s*<", "><", str(html))).strip()


def both_ways(form, name: str) -> tuple[str, str]:
    fast = form[name]
    assert isinstance(fast, FastBoundField)
    slow = BoundField(form, form.fields[name], name)
    return normalized(fast.as_field_group()), normalized(slow.as_field_group())


SEARCHES = [
    None,
    {"tax_type": "ST", "search_by": "period_end", "start": "12/01/2023", "end": "12/01/2026"},
    {"tax_type": "", "search_by": "filing_date", "start": "1/2/20", "end": "12/04/2026"},
    {"tax_type": "XX", "search_by": "", "start": "13/45/2020", "end": ""},
    {"tax_type": "WH", "search_by": "x", "start": "<b>", "end": '"12/01/2026"'},
    {"tax_type": "all", "search_by": "period_end", "start": "12/01/2020", "end": "12/01/2026", "paid_by": "11/01/2026"},
    {"tax_type": "all", "search_by": "period_end", "start": "12/03/2020", "end": "12/01/2026", "bills_only": "on"},
]


@pytest.mark.parametrize("form_class", [HistorySearchForm, PaymentSearchForm, AccountSearchForm])
@pytest.mark.parametrize("data", SEARCHES)
def test_search_forms_render_the_same_markup_as_the_templates(form_class, data):
    form = form_class(data, tax_types=TAX_TYPES, today=TODAY)
    if data is not None:
        form.is_valid()
    for name in form.fields:
        fast, slow = both_ways(form, name)
        assert fast == slow, name
        assert normalized(str(form[name])) == normalized(BoundField(form, form.fields[name], name).as_widget())


class Everything(UswdsForm):
    bound_field_class = FastBoundField

    text = forms.CharField(label="Text <i>", help_text="Help & more", max_length=5)
    optional = forms.CharField(label="Optional", required=False)
    when = SlashedDateField(label="When", required=False, help_text="mm/dd/yyyy")
    pick = forms.ChoiceField(label="Pick", choices=[("", "-"), ("a", "A & B"), ("b", "B")])
    radio = forms.ChoiceField(label="Radio", choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)
    box = forms.BooleanField(label="Box", help_text="Tick it", required=False)
    many = forms.MultipleChoiceField(
        label="Many", choices=[("1", "One"), ("2", "Two")], widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": "toolong<>", "when": "02/30/2026", "pick": "a", "radio": "y", "box": "on", "many": ["2"]},
        {"text": "ok", "optional": 'a "b"', "when": "02/28/2026", "pick": "zz", "radio": "", "notes": "<x>"},
    ],
)
def test_every_widget_kind_renders_the_same_or_falls_back_to_the_templates(data):
    form = Everything(data, initial={"when": date(2026, 1, 31), "radio": "x"})
    if data is not None:
        form.is_valid()
    for name in form.fields:
        fast, slow = both_ways(form, name)
        assert fast == slow, name


@given(
    st.one_of(
        st.text(alphabet="0123456789/ -a", max_size=12),
        st.dates().map(lambda d: f"{d.month}/{d.day}/{d.year:04d}"),
        st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 10000)).map(
            lambda t: f"{t[0]:0{2 if t[0] % 2 else 1}d}/{t[1]}/{t[2]}"
        ),
    )
)
@example("01/ 5/2025")
@example("1/5/2025")
@example("02/30/2024")
@example(" 01/05/2025")
def test_slashed_date_reads_what_strptime_reads(text):
    try:
        expected = datetime.strptime(text, "%m/%d/%Y").date()  # noqa: DTZ007
    except ValueError:
        expected = None
    assert slashed_date(text) == expected


@pytest.mark.parametrize(
    "value",
    ["plain", '<b>"O\'Brien" & co</b>', mark_safe("<i>safe</i>"), gettext_lazy("Search by"), 12, None, Decimal("1.50")],
)
def test_the_escape_is_djangos(value):
    assert fast_escape(value) == django_escape(value)
