from datetime import timedelta

from tsc.lib.fields import SlashedDateField
from tsc.lib.forms import UswdsForm

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


class StatisticsForm(UswdsForm):
    start = SlashedDateField(label="From", help_text="mm/dd/yyyy")
    end = SlashedDateField(label="To", help_text="mm/dd/yyyy, included")

    def __init__(self, data=None, *, today):
        self.today = today
        if data is not None and not (data.get("start") or data.get("end")):
            data = None  # the page opened without a range: show the last 30 days
        super().__init__(data, initial={"start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The last day must be on or after the first day.")
            elif (end - start).days >= MAX_DAYS:
                self.add_error("start", "Choose a range of at most three years.")
        return cleaned

    def range(self):
        """The chosen dates, or the default range when the form was not filled in."""
        if self.is_bound:
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.initial["start"], self.initial["end"]
