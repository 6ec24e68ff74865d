from django.contrib import admin
from django.db import models

from esign_sandbox.models import (
    Account,
    Document,
    Fault,
    Participant,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("client_id", "name", "email", "organization")


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = (
        "order",
        "name",
        "email",
        "organization",
        "status",
        "processed_at",
        "access_expires_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "id", "status", "sent_at", "last_processed_at")
    list_filter = ("status",)
    search_fields = ("title", "id")
    readonly_fields = ("id", "account", "status", "sent_at", "last_processed_at", "created_at")
    exclude = ("certificate",)
    inlines = [ParticipantInline]

    def has_add_permission(self, request):
        return False  # documents are made through the API, which gives them their account


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("url", "active", "on_completed", "on_canceled", "on_bounced")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "endpoint", "attempts", "last_status", "delivered_at")
    readonly_fields = ("endpoint", "body", "attempts", "last_status", "last_error", "delivered_at")

    def has_add_permission(self, request):
        return False  # deliveries are made by the sandbox when a document changes


@admin.register(Fault)
class FaultAdmin(admin.ModelAdmin):
    list_display = ("__str__", "method", "path_regex", "kind", "rate", "remaining", "active")
    list_editable = ("active",)
