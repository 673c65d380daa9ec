from django.conf import settings
from django.contrib import admin, messages

from tsc.audit.admin import AuditedAdminMixin

from .models import Business, FilingPeriod, Individual, Registration, TaxType


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0


@admin.register(Business)
class BusinessAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["registration_number", "legal_name", "dba_name", "city"]
    search_fields = ["registration_number", "legal_name", "dba_name"]
    inlines = [RegistrationInline]
    actions = ["issue_enrollment_code", "issue_recovery_code"]

    @admin.action(description="Issue a new enrollment code (PIN) for the first profile")
    def issue_enrollment_code(self, request, queryset):
        from tsc.accounts.services import enrollment_code_issue

        for business in queryset:
            code = enrollment_code_issue(business=business, actor=request.user)
            # Shown once to the clerk to print and mail; only a hash is stored.
            self.message_user(request, f"{business.registration_number}: enrollment code {code}", messages.SUCCESS)

    @admin.action(description="Issue an administrator recovery code (locked-out TSC Administrator)")
    def issue_recovery_code(self, request, queryset):
        from tsc.accounts.recovery import recovery_code_issue
        from tsc.lib.errors import ServiceError

        for business in queryset:
            try:
                code = recovery_code_issue(business=business, actor=request.user)
            except ServiceError as error:
                self.message_user(request, error.message, messages.ERROR)
                continue
            # Shown once, to be mailed to the business's address on file; only a hash is stored.
            self.message_user(
                request,
                f"{business.registration_number}: administrator recovery code {code} "
                f"(mail it to the business's address on file; it works for "
                f"{settings.TSC_RECOVERY_CODE_DAYS} days)",
                messages.SUCCESS,
            )


@admin.register(Individual)
class IndividualAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "masked_ssn", "city"]
    search_fields = ["last_name", "first_name", "ssn_last4"]
    exclude = ["ssn"]
    readonly_fields = ["masked_ssn"]

    @admin.display(description="SSN")
    def masked_ssn(self, obj):
        return f"***-**-{obj.ssn_last4}"

    def has_add_permission(self, request):
        return False  # created through the registration service so the SSN index is kept


@admin.register(TaxType)
class TaxTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "form", "offered_to_all_businesses"]


@admin.register(Registration)
class RegistrationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["business", "tax_type", "filing_frequency", "start_date", "end_date"]
    list_filter = ["tax_type", "filing_frequency"]


@admin.register(FilingPeriod)
class FilingPeriodAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["registration", "period_start", "period_end", "due_date"]
    list_filter = ["registration__tax_type"]
    list_select_related = ["registration__business", "registration__tax_type"]
