"""The back office's view of status letters: read-only; staff revoke with an action that asks
for the reason (tsc.letters.services.status_letter_revoke)."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from tsc.lib.errors import ServiceError

from .models import StatusLetter


@admin.register(StatusLetter)
class StatusLetterAdmin(admin.ModelAdmin):
    list_display = ["letter_id", "entity_name", "business", "issued_on", "issued_by", "revoked_at"]
    list_filter = ["issued_on", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["letter_id", "entity_name", "business__registration_number", "business__legal_name"]
    fields = [
        "letter_id",
        "business",
        "entity_name",
        "issued_on",
        "issued_by",
        "created_at",
        "revoked_at",
        "revoked_by",
        "revoked_reason",
    ]
    readonly_fields = fields
    list_select_related = ["business", "issued_by"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # issued by the TSC Administrator's request, never typed in

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a status letter never changes after issue, except by the revoke action

    @admin.action(description="Revoke the selected status letters", permissions=["view"])
    def revoke(self, request, queryset):
        from .services import status_letter_revoke

        reason = request.POST.get("reason", "").strip()
        if "apply" in request.POST and reason:
            for letter in queryset:
                try:
                    status_letter_revoke(letter=letter, actor=request.user, reason=reason)
                except ServiceError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                else:
                    self.message_user(request, f"Status letter {letter.letter_id} is revoked.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke status letters",
            "letters": queryset,
            "missing_reason": "apply" in request.POST,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "letters/admin_revoke.html", context)
