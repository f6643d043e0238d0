from django.apps import AppConfig


class CarePlansConfig(AppConfig):
    name = "joinedcare.careplans"
    label = "careplans"
    verbose_name = "Shared care plans"

    def ready(self) -> None:
        # Registers the key worker and action owner relationships, and the person page
        # section.
        from . import relationships, sections  # noqa: F401
