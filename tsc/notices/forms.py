from django import forms

from tsc.lib.fields import SlashedDateField
from tsc.lib.forms import UswdsForm


class SubscribeForm(UswdsForm):
    email = forms.EmailField(label="E-mail address", max_length=254)
    consent = forms.BooleanField(
        label="Yes, send me DRS Taxpayer Service Center announcements by e-mail. I can stop them at any time.",
        required=True,
        error_messages={"required": "Tick the box to choose to receive announcements."},
    )


class AnnouncementForm(UswdsForm):
    title = forms.CharField(label="Title", max_length=120)
    body = forms.CharField(label="Announcement", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    starts_on = SlashedDateField(label="Show from", help_text="mm/dd/yyyy")
    ends_on = SlashedDateField(label="Show until", help_text="mm/dd/yyyy, the last day it is shown")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", "The last day must be on or after the first day.")
        return cleaned
