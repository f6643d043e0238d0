from django.urls import path

from . import views

urlpatterns = [
    path("spa/capacity/", views.capacity, name="capacity"),
    path("spa/episodes/ending/", views.ending, name="episodes-ending"),
    path("spa/follow-ups/", views.follow_ups, name="follow-ups"),
    path("people/<person:person>/spa/allocate/", views.allocate, name="episode-allocate"),
    path("people/<person:person>/spa/extend/", views.extend, name="episode-extend"),
    path("people/<person:person>/spa/end/", views.end, name="episode-end"),
    path("people/<person:person>/spa/follow-up/", views.follow_up, name="episode-follow-up"),
    path("people/<person:person>/gp-bed/", views.gp_bed, name="gp-bed"),
]
