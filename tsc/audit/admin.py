from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "event", "actor", "business", "target_type", "target_id", "ip"]
    list_filter = ["event"]
    search_fields = ["event", "target_id"]

    # Audit rows are evidence: nobody edits or deletes them through the back office.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """Back-office edits write an audit row like service changes do (field names only)."""

    def save_model(self, request, obj, form, change):
        from .services import audit_record

        super().save_model(request, obj, form, change)
        business = obj if obj._meta.label == "taxpayers.Business" else getattr(obj, "business", None)
        audit_record(
            event=f"{obj._meta.model_name}.{'changed' if change else 'added'}_by_drs",
            actor=request.user,
            target=obj,
            business=business,
            data={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        from .services import audit_record

        audit_record(event=f"{obj._meta.model_name}.deleted_by_drs", actor=request.user, target=obj)
        super().delete_model(request, obj)
