from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "joinedcare.families"
    label = "families"
    verbose_name = "Children and families: access point, virtual MDT, key workers"

    def ready(self) -> None:
        from . import relationships  # noqa: F401
