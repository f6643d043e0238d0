from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "joinedcare.meetings"
    label = "meetings"
    verbose_name = "MDT meetings"

    def ready(self) -> None:
        # The built-in agenda sources, and the Single Point of Access adapter's.
        from . import sources, spa  # noqa: F401
