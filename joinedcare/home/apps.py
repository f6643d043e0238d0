from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "joinedcare.home"
    label = "home"
    verbose_name = "Home pages and layout"
