from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from joinedcare.access import views as access
from joinedcare.audit import views as audit
from joinedcare.caselists import views as caselists
from joinedcare.home import views as home
from joinedcare.organisations import views as organisations
from joinedcare.people import views as people
from joinedcare.staff import views as staff


class PersonConverter:
    """A person's opaque public id. Every URL about one person uses this converter, which
    is how the access test finds them all."""

    regex = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(PersonConverter, "person")

admin.site.site_header = "joinedcare administration"
admin.site.site_title = "joinedcare"

urlpatterns = [
    path("", home.home, name="home"),
    path("sign-in/", staff.sign_in, name="sign-in"),
    path("sign-in/code/", staff.second_factor, name="sign-in-code"),
    path("sign-out/", staff.sign_out, name="sign-out"),
    path("session/keep-alive/", home.keep_alive, name="keep-alive"),
    path("people/", people.search, name="person-search"),
    path("people/<person:person>/", people.person_page, name="person"),
    path("people/<person:person>/break-glass/", access.break_glass, name="break-glass"),
    path("places/", organisations.places, name="places"),
    path("teams/<str:code>/", organisations.team, name="team"),
    path("localities/<str:code>/", organisations.locality, name="locality"),
    path("case-lists/", caselists.index, name="case-lists"),
    path("case-lists/teams/<str:code>/", caselists.team_list, name="case-list-team"),
    path("case-lists/practices/<str:code>/", caselists.practice_list, name="case-list-practice"),
    path("case-lists/runs/<str:run_id>/card/", caselists.model_card, name="case-list-model-card"),
    path("audit/", audit.events, name="audit-events"),
    path("audit/export.csv", audit.export, name="audit-export"),
    path("audit/break-glass/", audit.break_glass_alerts, name="audit-break-glass"),
    path(
        "audit/break-glass/<int:grant>/review/",
        audit.review_break_glass,
        name="audit-break-glass-review",
    ),
    path("audit/subject-access/", audit.subject_access, name="subject-access"),
    # The admin signs in through joinedcare's own sign-in, with its second factor.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="sign-in", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    # Single Point of Access, short-term services, Discharge to Assess, families (issue 4).
    path("", include("joinedcare.referrals.urls")),
    path("", include("joinedcare.services.urls")),
    path("", include("joinedcare.discharge.urls")),
    path("", include("joinedcare.families.urls")),
    # MDT meetings at three levels and shared care plans (issue 5).
    path("meetings/", include("joinedcare.meetings.urls")),
    path("care-plans/", include("joinedcare.careplans.urls")),
    # The outcomes dashboard (issue 6).
    path("outcomes/", include("joinedcare.outcomes.urls")),
]
