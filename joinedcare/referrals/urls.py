from django.urls import path

from . import api, views

urlpatterns = [
    path("spa/", views.queues, name="spa-queues"),
    path("spa/referrals/new/", views.new_referral, name="referral-new"),
    path("people/<person:person>/spa/", views.person_spa, name="person-spa"),
    path("people/<person:person>/spa/triage/", views.triage, name="referral-triage"),
    path("people/<person:person>/spa/assess/", views.assess, name="referral-assess"),
    path("api/health", api.health, name="api-health"),
    path("api/spa/referrals", api.referrals, name="api-referrals"),
    path("api/spa/openapi.json", api.openapi, name="api-openapi"),
]
