from django import forms

from tsc.lib.forms import UswdsForm

from .models import AccessLevel, LoginStatus

RIGHT_CHOICES = [("", "- Select rights -"), *AccessLevel.choices]


class RightsMixin:
    """One required drop-down per tax type the business can hold rights on."""

    def add_rights_fields(self, tax_types, initial_levels: dict[int, str] | None = None):
        self.tax_types = list(tax_types)
        for tax_type in self.tax_types:
            self.fields[f"right_{tax_type.code}"] = forms.ChoiceField(
                label=tax_type.name,
                choices=RIGHT_CHOICES,
                error_messages={"required": f"Select the user's rights for {tax_type.name}."},
                widget=forms.Select(attrs={"class": "usa-select"}),
                initial=(initial_levels or {}).get(tax_type.pk, ""),
            )

    def rights(self):
        return {t: self.cleaned_data[f"right_{t.code}"] for t in self.tax_types}

    def rights_fields(self):
        return [self[f"right_{t.code}"] for t in self.tax_types]


TYPE_OR_GENERATE = "Type a temporary password, or use the Generate Temporary Password button."
# Never replace what the administrator typed without saying so.
TYPED_AND_GENERATE = (
    "You typed a temporary password and also chose Generate Temporary Password. To use the password you "
    "typed, press Save; to let the system choose one, clear the box first."
)


class TemporaryPasswordField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Temporary password",
            required=False,
            strip=False,
            max_length=10,
            help_text="6 to 10 characters with both letters and numbers, case sensitive.",
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            **kwargs,
        )


class AddUserForm(RightsMixin, UswdsForm):
    user_id = forms.RegexField(
        label="User ID",
        max_length=30,
        regex=r"^[A-Za-z0-9._@-]{3,30}$",
        help_text="For example the user's last name and first initial. It cannot be changed later.",
        error_messages={"invalid": "Use 3 to 30 letters, numbers or the characters . _ @ - (no spaces)."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    user_name = forms.CharField(
        label="User Name",
        max_length=80,
        help_text="Just for identification; it is not used to sign in.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    temporary_password = TemporaryPasswordField()

    def __init__(self, *args, tax_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_rights_fields(tax_types)
        self.generate = bool(self.data.get("generate_password"))
        # Needed, unless the system chooses it: so the box is not marked "(optional)".
        password = self.fields["temporary_password"]
        password.required = not self.generate
        password.error_messages["required"] = TYPE_OR_GENERATE
        password.help_text += " Or leave it empty and use Generate Temporary Password and Save."

    def clean(self):
        cleaned = super().clean()
        if self.generate and cleaned.get("temporary_password"):
            self.add_error("temporary_password", TYPED_AND_GENERATE)
        return cleaned


class EditUserForm(RightsMixin, UswdsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    user_name = forms.CharField(label="User Name", max_length=80, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    status = forms.ChoiceField(label="Status")
    is_administrator = forms.BooleanField(label="This user is the Administrator", required=False)
    set_temporary_password = forms.BooleanField(
        label="Generate Temporary Password",
        required=False,
        help_text="Check this box and type a temporary password below, or use the Generate Temporary Password "
        "button to let the system choose one. The user must change it at the next sign-in.",
    )
    temporary_password = TemporaryPasswordField()

    def __init__(self, *args, login, tax_types, initial_levels, is_self: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(LoginStatus.ACTIVE.value, "active"), (LoginStatus.DISABLED.value, "disabled")]
        if login.status == LoginStatus.LOCKED:
            choices.insert(0, (LoginStatus.LOCKED.value, "locked"))
        self.fields["status"].choices = choices
        self.fields["status"].widget.attrs["class"] = "usa-select"
        self.is_self = is_self
        self.tax_types = []
        self.target_is_administrator = login.is_administrator
        if login.is_administrator:
            self.fields["is_administrator"].disabled = True
            self.fields["is_administrator"].help_text = (
                "There is only ONE TSC Administrator per Connecticut Tax Registration Number. To hand the role "
                "to someone else, open that user and check this box there."
            )
        else:
            self.fields["is_administrator"].help_text = (
                "There is only ONE TSC Administrator per Connecticut Tax Registration Number. If you make this "
                "user the Administrator, you will no longer have those rights."
            )
            self.add_rights_fields(tax_types, initial_levels)
        self.generate = bool(self.data.get("generate_password"))

    def clean(self):
        cleaned = super().clean()
        wants_password = cleaned.get("set_temporary_password")
        if wants_password and not self.generate and not cleaned.get("temporary_password"):
            self.add_error(
                "temporary_password", "Type the temporary password, or use the Generate Temporary Password button."
            )
        if self.generate and cleaned.get("temporary_password"):
            self.add_error("temporary_password", TYPED_AND_GENERATE)
        if cleaned.get("temporary_password") and not wants_password and not self.generate:
            self.add_error("set_temporary_password", "Check Generate Temporary Password to set the password you typed.")
        return cleaned

    def rights(self):
        return super().rights() if not self.target_is_administrator else {}
