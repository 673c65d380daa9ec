"""Logins (TSC users), their per-tax-type rights, and enrollment codes for first profiles."""

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower

from tsc.lib.pii import EncryptedTextField


class LoginStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LOCKED = "locked", "Locked"
    DISABLED = "disabled", "Disabled"


class AccessLevel(models.TextChoices):
    """The seed's access levels, one per login × tax type."""

    VIEW_ONLY = "view", "View Only"
    FILE_ONLY = "file", "File Only"
    PAY_ONLY = "pay", "Pay Only"
    FILE_AND_PAY = "file_pay", "File and Pay"
    NO_ACCESS = "none", "No Access"


ACCESS_LEVEL_DESCRIPTIONS = {
    AccessLevel.VIEW_ONLY: "User has rights to view returns, payments, and cancelled payments.",
    AccessLevel.FILE_ONLY: "User has rights to prepare, save, and submit a return and receive a confirmation.",
    AccessLevel.PAY_ONLY: "User has rights to make a payment, cancel a payment, and view history.",
    AccessLevel.FILE_AND_PAY: "User has rights to file and pay, cancel a payment, and view history.",
    AccessLevel.NO_ACCESS: "User has no rights for this tax type.",
}

IDENTITY_QUESTIONS = [
    ("birth_city", "In what city were you born?"),
    ("first_school", "What was the name of your first school?"),
    ("first_pet", "What was the name of your first pet?"),
    ("mother_maiden", "What is your mother's maiden name?"),
    ("first_car", "What was the make of your first car?"),
    ("childhood_street", "On what street did you live as a child?"),
    ("favorite_teacher", "What was the last name of your favorite teacher?"),
    ("first_job", "Where did you work at your first job?"),
]
QUESTION_TEXT = dict(IDENTITY_QUESTIONS)


class LoginManager(BaseUserManager):
    def create_superuser(self, user_id: str, password: str | None = None, **extra):
        """DRS staff for the back office (no business)."""
        login = self.model(user_id=user_id, is_staff=True, is_superuser=True, **extra)
        login.set_password(password)
        login.save(using=self._db)
        return login


class Login(AbstractBaseUser, PermissionsMixin):
    """A TSC user of one business (or, with no business, a DRS staff member)."""

    business = models.ForeignKey(
        "taxpayers.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="logins"
    )
    user_id = models.CharField("User ID", max_length=30)
    user_name = models.CharField("User Name", max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=LoginStatus.choices, default=LoginStatus.ACTIVE)
    is_administrator = models.BooleanField("TSC Administrator", default=False)
    is_staff = models.BooleanField("DRS staff", default=False)
    # Set when the password was made by someone else (temporary): the next sign-in must replace it.
    must_change_password = models.BooleanField(default=False)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    # Bumped by every change the TSC Administrator makes, so a stale edit form is refused.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    # Contact information
    name = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    street = models.CharField("Street address", max_length=120, blank=True)
    street2 = models.CharField("Street address line 2", max_length=120, blank=True)
    city = models.CharField(max_length=60, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)

    # Identity questions: answers are hashed like passwords, after normalising case and spaces.
    question1 = models.CharField(max_length=30, choices=IDENTITY_QUESTIONS, blank=True)
    answer1_hash = models.CharField(max_length=256, blank=True)
    question2 = models.CharField(max_length=30, choices=IDENTITY_QUESTIONS, blank=True)
    answer2_hash = models.CharField(max_length=256, blank=True)
    telephone_password_hash = models.CharField(max_length=256, blank=True)

    objects = LoginManager()

    USERNAME_FIELD = "user_id"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("user_id"), "business", name="user_id_unique_in_business"),
            models.UniqueConstraint(
                Lower("user_id"), condition=models.Q(business__isnull=True), name="staff_user_id_unique"
            ),
            # The seed: "there is only ONE TSC Administrator per Connecticut Tax Registration Number."
            models.UniqueConstraint(
                fields=["business"], condition=models.Q(is_administrator=True), name="one_administrator_per_business"
            ),
        ]

    def __str__(self) -> str:
        if self.business_id is None:
            return f"{self.user_id} (DRS staff)"
        return f"{self.user_id} ({self.business.registration_number})"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status == LoginStatus.ACTIVE

    @property
    def has_identity_questions(self) -> bool:
        return bool(self.answer1_hash and self.answer2_hash)

    @property
    def display_name(self) -> str:
        return self.name or self.user_name or self.user_id

    def check_telephone_password(self, raw: str) -> bool:
        return bool(self.telephone_password_hash) and check_password(raw, self.telephone_password_hash)


class UserRight(models.Model):
    """The access level of one login for one tax type of its business."""

    login = models.ForeignKey(Login, on_delete=models.CASCADE, related_name="rights")
    tax_type = models.ForeignKey("taxpayers.TaxType", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=AccessLevel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["login", "tax_type"], name="one_right_per_tax_type")]

    def __str__(self) -> str:
        return f"{self.login.user_id}: {self.tax_type.name} {self.get_level_display()}"


class EnrollmentCode(models.Model):
    """A one-time code DRS mails to a business so its first user can create the
    TSC Administrator profile. Only a hash is kept."""

    MAX_ATTEMPTS = 5

    business = models.ForeignKey("taxpayers.Business", on_delete=models.CASCADE, related_name="enrollment_codes")
    code_hash = models.CharField(max_length=256)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(Login, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"Enrollment code for {self.business.registration_number} issued {self.issued_at:%m/%d/%Y}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.voided_at is None and self.failed_attempts < self.MAX_ATTEMPTS


class AdministratorRecoveryCode(models.Model):
    """A one-time code DRS staff issue when a business's TSC Administrator is locked out (nobody
    else can unlock the administrator). Shown once to staff, to be mailed to the business's
    address on file; only a hash is kept. With the administrator's identity answers it unlocks
    the login and sets a new password."""

    MAX_ATTEMPTS = 5

    login = models.ForeignKey(Login, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=256)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(Login, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"Administrator recovery code for {self.login} issued {self.issued_at:%m/%d/%Y}"

    def usable(self, now) -> bool:
        return (
            self.used_at is None
            and self.voided_at is None
            and self.failed_attempts < self.MAX_ATTEMPTS
            and now < self.expires_at
        )


# ---- two-factor sign-in (twofactor.py) -------------------------------------------------------


class TwoFactorDevice(models.Model):
    """A login's authenticator app (TOTP, RFC 6238). Not in use until `confirmed_at` is set by a
    first right code; the secret is encrypted at rest like other personal data (tsc/lib/pii.py)."""

    login = models.OneToOneField(Login, on_delete=models.CASCADE, related_name="two_factor")
    secret = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the last code accepted: a code (or an older one) is never accepted twice.
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Two-factor device of {self.login}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class TwoFactorRecoveryCode(models.Model):
    """One of the ten one-time codes shown once when two-factor sign-in is turned on, for a lost
    device. Only a hash is kept."""

    device = models.ForeignKey(TwoFactorDevice, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=256)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code of {self.device.login}{' (used)' if self.used_at else ''}"


class TwoFactorRequirement(models.Model):
    """A business's TSC Administrator may require two-factor sign-in of all its users."""

    business = models.OneToOneField(
        "taxpayers.Business", on_delete=models.CASCADE, related_name="two_factor_requirement"
    )
    required = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(Login, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Two-factor {'required' if self.required else 'optional'} for {self.business}"
