"""The admin's view of records nobody edits by hand (runs, ledger, documents, sync records): shown,
never added, changed or deleted there, whatever the user's permissions — they change only through
their use cases, which check their own permissions."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
