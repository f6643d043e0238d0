from django.urls import path

from . import views

urlpatterns = [
    path("families/", views.queue, name="families"),
    path("families/new/", views.new, name="family-new"),
    path("families/caseload/", views.caseload, name="family-caseload"),
    path("families/<int:family>/", views.family, name="family"),
]
