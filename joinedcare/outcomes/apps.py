from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "joinedcare.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes dashboard"
