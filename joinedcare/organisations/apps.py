from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "joinedcare.organisations"
    label = "organisations"
    verbose_name = "Organisations, places and teams"
