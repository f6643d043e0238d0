from django.apps import AppConfig


class DischargeConfig(AppConfig):
    name = "joinedcare.discharge"
    label = "discharge"
    verbose_name = "Discharge to Assess"

    def ready(self) -> None:
        from . import relationships  # noqa: F401
