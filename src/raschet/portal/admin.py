"""Admin of the personal account: the links of site users to accounts (an operator may confirm or
remove one), and the readings submission windows."""

from django.contrib import admin

from raschet.portal.models import AccountLink


@admin.register(AccountLink)
class AccountLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "account", "confirmed_at", "created_at")
    list_filter = ("confirmed_at",)
    search_fields = ("user__username", "user__email", "account__number")
    raw_id_fields = ("user", "account")
    readonly_fields = ("created_at",)
