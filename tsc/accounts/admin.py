from django.contrib import admin

from .models import AdministratorRecoveryCode, EnrollmentCode, Login, UserRight


class UserRightInline(admin.TabularInline):
    model = UserRight
    extra = 0
    readonly_fields = ["tax_type", "level"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Login)
class LoginAdmin(admin.ModelAdmin):
    """Read-only for DRS: only a business's TSC Administrator changes its users (the seed:
    'DRS cannot unlock the password for these users')."""

    list_display = ["user_id", "business", "user_name", "status", "is_administrator", "last_login"]
    list_filter = ["status", "is_administrator", "is_staff"]
    search_fields = ["user_id", "business__registration_number", "business__legal_name"]
    fields = [
        "business",
        "user_id",
        "user_name",
        "status",
        "is_administrator",
        "is_staff",
        "last_login",
        "created_at",
        "name",
        "title",
        "phone",
        "email",
    ]
    readonly_fields = fields
    inlines = [UserRightInline]
    list_select_related = ["business"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EnrollmentCode)
class EnrollmentCodeAdmin(admin.ModelAdmin):
    list_display = ["business", "issued_at", "issued_by", "used_at", "voided_at", "failed_attempts"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False  # issue codes with the action on Businesses: the code is shown once


@admin.register(AdministratorRecoveryCode)
class AdministratorRecoveryCodeAdmin(admin.ModelAdmin):
    list_display = ["login", "issued_at", "issued_by", "expires_at", "used_at", "voided_at", "failed_attempts"]
    fields = list_display
    readonly_fields = list_display
    list_select_related = ["login__business", "issued_by"]

    def has_add_permission(self, request):
        return False  # issue codes with the action on Businesses: the code is shown once
