"""Administration of the access points: their staff and the assessment team's hours
(pages tell staff outside an access point that an administrator adds them here)."""

from django.contrib import admin

from .models import SinglePointOfAccess


@admin.register(SinglePointOfAccess)
class SinglePointOfAccessAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "kind", "assessment_opens", "assessment_closes"]
    list_filter = ["kind", "place"]
    filter_horizontal = ["staff"]
