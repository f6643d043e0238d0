from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "joinedcare.access"
    label = "access"
    verbose_name = "Access to people's records"

    def ready(self) -> None:
        from . import relationships  # noqa: F401  (registers the team relationship)
