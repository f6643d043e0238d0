from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="outcomes"),
    path("locality/<str:code>/profile/", views.locality_profile, name="outcomes-profile"),
    path("<str:level>/<str:code>/", views.dashboard, name="outcomes-dashboard"),
    path(
        "<str:level>/<str:code>/inequalities/",
        views.inequalities,
        name="outcomes-inequalities",
    ),
    path("<str:level>/<str:code>/<slug:slug>.csv", views.download, name="outcomes-csv"),
]
