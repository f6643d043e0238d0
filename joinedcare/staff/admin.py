from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Membership, StaffUser


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["team"]
    filter_horizontal = ["practices"]


@admin.register(StaffUser)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Work", {"fields": ["organisation", "role", "localities"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        ("Work", {"fields": ["first_name", "last_name", "organisation", "role"]}),
    ]
    inlines = [MembershipInline]
    filter_horizontal = ["localities", "groups", "user_permissions"]
