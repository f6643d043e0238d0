from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "joinedcare.services"
    label = "services"
    verbose_name = "Short-term intervention services, capacity and episodes"

    def ready(self) -> None:
        from . import relationships  # noqa: F401  (registers the episode relationship)
