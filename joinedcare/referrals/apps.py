from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "joinedcare.referrals"
    label = "referrals"
    verbose_name = "Single Point of Access: referrals, triage and assessment"

    def ready(self) -> None:
        from . import relationships, sections  # noqa: F401  (register with access and people)
