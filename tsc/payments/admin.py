"""The back office's view of payments and bank batches: read-only, account numbers by their
last 4 digits; batches are posted with an action (returns: `manage.py post_payment_batch`)."""

from django.contrib import admin, messages

from .models import BankAccount, Payment, PaymentBatch


@admin.register(PaymentBatch)
class PaymentBatchAdmin(admin.ModelAdmin):
    list_display = ["send_date", "entry_count", "total", "created_at", "posted_at"]
    fields = list_display
    readonly_fields = list_display
    actions = ["post_batches"]

    def has_add_permission(self, request):
        return False  # made by the daily batch (send_payment_batch), once per banking day

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Post the selected batches: their payments become processed")
    def post_batches(self, request, queryset):
        from .batch import payment_batch_post

        for batch in queryset:
            posted = payment_batch_post(batch=batch, actor=request.user)
            self.message_user(request, f"{batch.send_date:%m/%d/%Y}: {posted} payment(s) posted.", messages.SUCCESS)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["confirmation_number", "business", "tax_type", "amount", "requested_date", "send_date", "status"]
    list_filter = ["status", "tax_type", "send_date"]
    search_fields = ["confirmation_number", "business__registration_number", "business__legal_name"]
    fields = [
        "confirmation_number",
        "business",
        "tax_type",
        "period",
        "amount",
        "requested_date",
        "send_date",
        "status",
        "account_masked",
        "routing_number",
        "made_on",
        "created_by",
        "cancel_confirmation_number",
        "batch",
        "posted_on",
        "return_reason",
    ]
    readonly_fields = fields
    list_select_related = ["business", "tax_type"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    list_display = ["business", "tax_type", "account_masked", "routing_number", "updated_at"]
    fields = list_display
    readonly_fields = list_display
    list_select_related = ["business", "tax_type"]

    def has_add_permission(self, request):
        return False  # the business's TSC Administrator keeps its banking information

    def has_delete_permission(self, request, obj=None):
        return False
