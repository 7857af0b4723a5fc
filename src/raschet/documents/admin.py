"""Admin of payment documents: settings, contacts, routes and delivery choices are edited; issued
documents, batches and the delivery log are read-only (they change only through the services)."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from raschet.access.readonly import ReadOnlyAdmin
from raschet.documents import models


@admin.register(models.DocumentSettings)
class DocumentSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "executor", "qr_mode", "settlement_centre")


@admin.register(models.OrganizationContact)
class OrganizationContactAdmin(admin.ModelAdmin):
    list_display = ("organization", "address", "phone", "email", "website")


class RouteBuildingInline(admin.TabularInline):
    model = models.RouteBuilding
    raw_id_fields = ("building",)
    extra = 0


@admin.register(models.DeliveryRoute)
class DeliveryRouteAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    inlines = [RouteBuildingInline]


@admin.register(models.DeliveryPreference)
class DeliveryPreferenceAdmin(admin.ModelAdmin):
    list_display = ("account", "channel", "email")
    raw_id_fields = ("account",)
    search_fields = ("account__number", "email")


@admin.register(models.PaymentDocument)
class PaymentDocumentAdmin(ReadOnlyAdmin):
    list_display = ("number", "version", "account", "period", "total", "issued_at", "pdf_link")
    list_filter = ("period",)
    search_fields = ("number", "account__number")
    exclude = ("pdf_tail", "prefix", "figures")
    readonly_fields = ("account", "period", "version", "number", "total", "issued_at", "issued_by", "content_sha256",
                       "pdf_sha256", "pages", "pdf_link")

    def get_urls(self):
        return [path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf), name="documents_paymentdocument_pdf"),
                *super().get_urls()]

    def pdf(self, request, pk):
        document = models.PaymentDocument.objects.get(pk=pk)
        response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="EPD-{document.number}-v{document.version}.pdf"'
        return response

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        return format_html('<a href="{}">открыть</a>', reverse("admin:documents_paymentdocument_pdf", args=[obj.pk]))


class BatchUnitInline(admin.TabularInline):
    model = models.BatchUnit
    fields = ("number", "route", "status", "documents", "issued", "pages", "file_name")
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(models.DocumentBatch)
class DocumentBatchAdmin(ReadOnlyAdmin):
    list_display = ("period", "scope", "status", "accounts", "issued", "unchanged", "problems", "started_at")
    inlines = [BatchUnitInline]


@admin.register(models.BatchProblem)
class BatchProblemAdmin(ReadOnlyAdmin):
    list_display = ("subject", "code", "message")
    list_filter = ("code",)


@admin.register(models.Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("document", "address", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status",)
