from django.urls import path

from . import views

urlpatterns = [
    path("discharge/", views.tracking, name="discharges"),
    path("discharge/new/", views.add, name="discharge-new"),
    path("people/<person:person>/discharge/", views.person_discharge, name="person-discharge"),
    path("api/discharge/medically-fit", views.api_medically_fit, name="api-medically-fit"),
]
