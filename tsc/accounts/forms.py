from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tsc.lib.forms import UswdsForm
from tsc.lib.phone import normalize_phone
from tsc.lib.usps import STATE_CHOICES

from . import passwords
from .models import IDENTITY_QUESTIONS
from .services import Contact, IdentityQuestions

QUESTION_CHOICES = [("", "- Select a question -"), *IDENTITY_QUESTIONS]


class SignInForm(UswdsForm):
    user_id = forms.CharField(
        label="User ID",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NewPasswordMixin(forms.Form):
    """Password + confirmation under the seed's rule. Subclasses set `login_for_validation`."""

    password1 = forms.CharField(
        label="New password",
        strip=False,
        max_length=128,
        help_text=passwords.PASSWORD_RULE,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Type the new password again",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    login_for_validation = None

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        validate_password(password, user=self.login_for_validation)
        return password

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", "The two passwords do not match. Type the same password twice.")
        return cleaned


class ContactForm(UswdsForm):
    name = forms.CharField(label="Name", max_length=80, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    title = forms.CharField(
        label="Title", max_length=80, widget=forms.TextInput(attrs={"autocomplete": "organization-title"})
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        help_text="With area code, like 860-297-5962.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label="Email address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    street = forms.CharField(
        label="Street address", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    street2 = forms.CharField(
        label="Street address line 2",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    city = forms.CharField(
        label="City", max_length=60, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    # A list, not a 2-letter box: typing "Connecticut" into one kept "CO", Colorado.
    state = forms.ChoiceField(
        label="State",
        choices=STATE_CHOICES,
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    zip_code = forms.RegexField(
        label="ZIP code",
        regex=r"^\d{5}(-\d{4})?$",
        max_length=10,
        error_messages={"invalid": "Enter a 5-digit ZIP code, or ZIP+4 like 06103-1234."},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def contact(self) -> Contact:
        return Contact(**{f: self.cleaned_data[f] for f in Contact.__dataclass_fields__})


class IdentityQuestionsForm(UswdsForm):
    question1 = forms.ChoiceField(label="Identity question 1", choices=QUESTION_CHOICES)
    answer1 = forms.CharField(label="Answer 1", max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    question2 = forms.ChoiceField(label="Identity question 2", choices=QUESTION_CHOICES)
    answer2 = forms.CharField(label="Answer 2", max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("question1") and cleaned.get("question1") == cleaned.get("question2"):
            self.add_error("question2", "Choose two different identity questions.")
        return cleaned

    def questions(self) -> IdentityQuestions:
        return IdentityQuestions(**{f: self.cleaned_data[f] for f in IdentityQuestions.__dataclass_fields__})


class TelephonePasswordField(forms.RegexField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Telephone password")
        kwargs.setdefault("help_text", "Only if you will use the DRS telephone system: 4 to 8 digits.")
        super().__init__(
            regex=r"^\d{4,8}$",
            required=False,
            max_length=8,
            strip=True,
            error_messages={"invalid": "The telephone password must be 4 to 8 digits."},
            widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
            **kwargs,
        )


class ProfileSectionsMixin:
    """The profile's fields under the seed's headings ("Create/Update Profile"), for templates."""

    SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
        ("Enrollment", "", ("enrollment_code",)),
        (
            "Contact Information",
            "Enter your name and other contact information as required.",
            ("name", "title", "phone", "email", "street", "street2", "city", "state", "zip_code"),
        ),
        (
            "User Profile",
            "The User ID is chosen by you. Once created, it cannot be changed. The password is case "
            "sensitive and must be between 6 and 10 characters long, with at least two of: letters, "
            "numbers, special characters.",
            ("user_id", "password1", "password2"),
        ),
        (
            "Identity questions",
            "The two identity questions and answers will let you into the TSC if you forget your password.",
            ("question1", "answer1", "question2", "answer2"),
        ),
        (
            "Telephone Password",
            "If you do not intend to use our telephone system, you do not have to complete the "
            "Telephone Password section.",
            ("telephone_password",),
        ),
    )

    def sections(self):
        """(heading, intro, bound fields) for each heading that has fields in this form."""
        return [
            (heading, intro, [self[name] for name in names if name in self.fields])
            for heading, intro, names in self.SECTIONS
            if any(name in self.fields for name in names)
        ]


class ProfileCreateForm(ProfileSectionsMixin, NewPasswordMixin, IdentityQuestionsForm, ContactForm):
    """First-time profile: the business's first user, who becomes its TSC Administrator."""

    enrollment_code = forms.CharField(
        label="Enrollment code",
        max_length=12,
        help_text="The code in the letter DRS mailed to your business, like ABCD-2345.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    user_id = forms.RegexField(
        label="User ID",
        max_length=30,
        regex=r"^[A-Za-z0-9._@-]{3,30}$",
        help_text="3 to 30 letters, numbers or . _ @ -. You cannot change it later.",
        error_messages={"invalid": "Use 3 to 30 letters, numbers or the characters . _ @ - (no spaces)."},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    telephone_password = TelephonePasswordField()

    field_order = [
        "enrollment_code",
        "name",
        "title",
        "phone",
        "email",
        "street",
        "street2",
        "city",
        "state",
        "zip_code",
        "user_id",
        "password1",
        "password2",
        "question1",
        "answer1",
        "question2",
        "answer2",
        "telephone_password",
    ]

    def clean_password1(self):
        from .models import Login

        self.login_for_validation = Login(
            user_id=self.data.get("user_id", ""), name=self.data.get("name", ""), email=self.data.get("email", "")
        )
        return super().clean_password1()


class ForgotPasswordUserForm(UswdsForm):
    user_id = forms.CharField(
        label="User ID",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


class RecoveryCodeForm(ForgotPasswordUserForm):
    recovery_code = forms.CharField(
        label="Administrator recovery code",
        max_length=20,
        help_text="From the letter DRS mailed to your business, like ABCD-EFGH-JKLM.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ForgotPasswordAnswersForm(NewPasswordMixin, UswdsForm):
    answer1 = forms.CharField(max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    answer2 = forms.CharField(max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    field_order = ["answer1", "answer2", "password1", "password2"]

    def __init__(self, *args, question1: str, question2: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer1"].label = question1
        self.fields["answer2"].label = question2


class CurrentPasswordMixin(forms.Form):
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(CurrentPasswordMixin, NewPasswordMixin, UswdsForm):
    field_order = ["current_password", "password1", "password2"]

    def __init__(self, *args, login, **kwargs):
        super().__init__(*args, **kwargs)
        self.login_for_validation = login


class IdentityQuestionsChangeForm(CurrentPasswordMixin, IdentityQuestionsForm):
    field_order = ["current_password", "question1", "answer1", "question2", "answer2"]


class TelephonePasswordChangeForm(CurrentPasswordMixin, UswdsForm):
    telephone_password = TelephonePasswordField(
        label="New telephone password", help_text="4 to 8 digits. Leave blank to remove your telephone password."
    )


class FirstSignInForm(ProfileSectionsMixin, NewPasswordMixin, IdentityQuestionsForm, ContactForm):
    """A user who signed in with a temporary password sets their own password, identity
    questions and contact information before anything else."""

    telephone_password = TelephonePasswordField()
    field_order = [
        "password1",
        "password2",
        "question1",
        "answer1",
        "question2",
        "answer2",
        "name",
        "title",
        "phone",
        "email",
        "street",
        "street2",
        "city",
        "state",
        "zip_code",
        "telephone_password",
    ]

    def __init__(self, *args, login, **kwargs):
        super().__init__(*args, **kwargs)
        self.login_for_validation = login


def add_service_error(form: forms.Form, error) -> None:
    """Show a service's refusal next to the field it concerns (or at the top of the form)."""
    field = error.field if error.field in form.fields and not form.fields[error.field].widget.is_hidden else None
    form.add_error(field, ValidationError(error.message))
