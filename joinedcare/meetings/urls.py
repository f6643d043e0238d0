from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="meetings"),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/<int:pk>/", views.escalation_page, name="escalation"),
    path("<int:pk>/", views.meeting_page, name="meeting"),
    path("<int:pk>/pack/", views.pack_page, name="meeting-pack"),
    path("<int:pk>/pack.pdf", views.pack_pdf, name="meeting-pack-pdf"),
    # The meeting comes as ?meeting=<id>: person URLs carry only the person.
    path("people/<person:person>/", views.discuss, name="meeting-discuss"),
    path("people/<person:person>/care-plan/", views.care_plan, name="meeting-care-plan"),
]
