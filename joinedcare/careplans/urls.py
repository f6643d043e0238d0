from django.urls import path

from . import views

urlpatterns = [
    path("my-actions/", views.my_actions, name="my-actions"),
    path("actions/<int:pk>/", views.action_update, name="care-plan-action"),
    path("teams/<str:code>/actions/", views.team_actions, name="team-actions"),
    path("<person:person>/", views.plan_page, name="care-plan"),
    path("<person:person>/agree/", views.agree, name="care-plan-edit"),
    path("<person:person>/consent/", views.consent, name="care-plan-consent"),
    path("<person:person>/copy/", views.person_copy, name="care-plan-copy"),
    path("<person:person>/versions/", views.versions_page, name="care-plan-versions"),
]
