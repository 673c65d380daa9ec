from django import forms

from tsc.lib.forms import UswdsForm

from .models import normalize_letter_id


class VerifyForm(UswdsForm):
    letter_id = forms.CharField(
        label="Letter ID",
        max_length=40,
        help_text="The 12 letters and numbers printed on the status letter, like K7QM-3XTR-9PWD.",
        error_messages={"required": "Enter the Letter ID printed on the status letter."},
    )

    def clean_letter_id(self) -> str:
        letter_id = normalize_letter_id(self.cleaned_data["letter_id"])
        if letter_id is None:
            raise forms.ValidationError(
                "Enter the Letter ID as it is printed on the letter: 12 letters and numbers, like K7QM-3XTR-9PWD."
            )
        return letter_id
