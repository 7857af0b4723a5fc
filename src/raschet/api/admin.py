"""API tokens in the admin: who holds one, when it was last used; revoke, never read or add one here
(a token is created by ``raschet api token create`` and shown once)."""

from django.contrib import admin

from raschet.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("token_sha256",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Отозвать выбранные токены")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
