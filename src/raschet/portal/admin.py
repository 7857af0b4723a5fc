"""Admin of the personal account: the links of site users to accounts (an operator may confirm or
remove one), and the readings submission windows."""

from django.contrib import admin

from raschet.portal.models import AccountLink, GatewayPayment, SubmissionWindow


@admin.register(AccountLink)
class AccountLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "account", "confirmed_at", "created_at")
    list_filter = ("confirmed_at",)
    search_fields = ("user__username", "user__email", "account__number")
    raw_id_fields = ("user", "account")
    readonly_fields = ("created_at",)


@admin.register(SubmissionWindow)
class SubmissionWindowAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "valid_to", "first_day", "last_day")


@admin.register(GatewayPayment)
class GatewayPaymentAdmin(admin.ModelAdmin):
    list_display = ("operation_id", "account", "amount", "state", "gateway", "created_at", "payment")
    list_filter = ("state", "gateway")
    search_fields = ("operation_id", "account__number")
    readonly_fields = [f.name for f in GatewayPayment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
