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
