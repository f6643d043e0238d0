"""Administration of the service catalogue; capacity by date is published on the
capacity board, and episodes are people's records, so neither is here."""

from django.contrib import admin

from .models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place", "provider", "unit", "active"]
    list_filter = ["place", "kind", "active"]
    search_fields = ["name"]
