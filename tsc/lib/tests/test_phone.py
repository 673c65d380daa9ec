import pytest

from tsc.lib.phone import normalize_phone


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("860-297-5962", "860-297-5962"),
        ("(860) 297-5962", "860-297-5962"),
        ("8602975962", "860-297-5962"),
        ("860.297.5962", "860-297-5962"),
        ("+1 860 297 5962", "860-297-5962"),
        ("1-860-297-5962 x123", "860-297-5962 x123"),
        ("860-297-5962 ext. 45", "860-297-5962 x45"),
    ],
)
def test_phone_numbers_are_kept_in_one_form(typed, kept):
    assert normalize_phone(typed) == kept


@pytest.mark.parametrize(
    "typed", ["", "297-5962", "860-297-59621", "060-297-5962", "860-097-5962", "call me", "86o-297-5962"]
)
def test_other_text_is_refused_with_a_plain_message(typed):
    with pytest.raises(ValueError, match="10-digit phone number with area code"):
        normalize_phone(typed)
