from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "joinedcare.people"
    label = "people"
    verbose_name = "People cared for"
