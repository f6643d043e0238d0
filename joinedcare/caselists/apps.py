from django.apps import AppConfig


class CaseListsConfig(AppConfig):
    name = "joinedcare.caselists"
    label = "caselists"
    verbose_name = "Risk stratification case lists"
