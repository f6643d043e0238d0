from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponseRedirect

from joinedcare.audit.models import AuditEvent

from .models import Membership, StaffUser
from .roles import role_label

# What decides whose records a user may open: nobody may change these on their own user.
ACCESS_FIELDS = ["organisation", "role", "localities"]
MEMBERSHIP_PREFIX = "memberships"
_MEMBERSHIP_FIELDS = ("-team", "-role", "-practices", "-DELETE")
OWN_ACCESS_REFUSED = (
    "You cannot change your own role, organisation, localities or team memberships: "
    "another administrator must. Nothing was saved."
)


def _is_own(request, obj) -> bool:
    return obj is not None and obj.pk is not None and obj.pk == request.user.pk


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["team"]
    filter_horizontal = ["practices"]

    # An administrator's own memberships are shown read-only.
    def has_add_permission(self, request, obj=None):
        return not _is_own(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _is_own(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_own(request, obj) and super().has_delete_permission(request, obj)


def _membership_text(role: str, team, practices) -> str:
    text = f"{team} as {role_label(role)}"
    if practices:
        text += f" at {', '.join(sorted(practices))}"
    return text


def _memberships(user) -> dict[int, str]:
    if user.pk is None:
        return {}
    return {
        m.pk: _membership_text(m.role, m.team, [str(p) for p in m.practices.all()])
        for m in Membership.objects.filter(user=user)
        .select_related("team")
        .prefetch_related("practices")
    }


def _access(user) -> dict[str, str]:
    """The user's role, organisation and localities as people read them."""
    return {
        "role": role_label(user.role) or "none",
        "organisation": str(user.organisation) if user.organisation_id else "none",
        "localities": ", ".join(sorted(str(loc) for loc in user.localities.all())) or "none",
    }


@admin.register(StaffUser)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Work", {"fields": ["organisation", "role", "localities", "work_phone"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        ("Work", {"fields": ["first_name", "last_name", "organisation", "role", "work_phone"]}),
    ]
    inlines = [MembershipInline]
    filter_horizontal = ["localities", "groups", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if _is_own(request, obj):
            readonly += [f for f in ACCESS_FIELDS if f not in readonly]
        return readonly

    def change_view(self, request, object_id, form_url="", extra_context=None):
        own = str(request.user.pk) == str(object_id)
        if own and request.method == "POST" and self._tries_to_change_own_access(request):
            self.message_user(request, OWN_ACCESS_REFUSED, messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _tries_to_change_own_access(request) -> bool:
        data = request.POST
        if any(field in data for field in ACCESS_FIELDS):
            return True
        total = data.get(f"{MEMBERSHIP_PREFIX}-TOTAL_FORMS")
        initial = data.get(f"{MEMBERSHIP_PREFIX}-INITIAL_FORMS")
        if total is not None and total != initial:
            return True
        return any(
            key.startswith(f"{MEMBERSHIP_PREFIX}-") and key.endswith(_MEMBERSHIP_FIELDS)
            for key in data
        )

    def save_model(self, request, obj, form, change):
        if change:
            saved = StaffUser.objects.select_related("organisation").get(pk=obj.pk)
            # As they were before this save, for the audit trail (see save_related).
            form._access_before = _access(saved)
            if _is_own(request, obj):
                # Read-only fields already keep these; never trust that alone.
                obj.role, obj.organisation_id = saved.role, saved.organisation_id
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = getattr(form, "_access_before", None)
        memberships_before = _memberships(user) if change else {}
        super().save_related(request, form, formsets, change)
        after = _access(user)
        memberships_after = _memberships(user)

        changes = []
        if not change:
            changes.append(
                f"created as {after['role']} at {after['organisation']}"
                f", localities {after['localities']}"
            )
        elif before is not None:
            for field in ("role", "organisation", "localities"):
                if before[field] != after[field]:
                    changes.append(f"{field} changed from {before[field]} to {after[field]}")
        for pk, text in memberships_after.items():
            if pk not in memberships_before:
                changes.append(f"membership added, {text}")
            elif memberships_before[pk] != text:
                changes.append(f"membership changed from {memberships_before[pk]} to {text}")
        for pk, text in memberships_before.items():
            if pk not in memberships_after:
                changes.append(f"membership removed, {text}")
        for change_text in changes:
            AuditEvent.record(
                by=request.user,
                action=AuditEvent.Action.UPDATE,
                purpose=AuditEvent.Purpose.OPERATIONS,
                detail=f"staff {user}: {change_text}"[:200],
            )
