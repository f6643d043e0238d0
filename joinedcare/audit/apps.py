from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AuditConfig(AppConfig):
    name = "joinedcare.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        # Each app's `subject_access` module registers what it holds about a person, so
        # the subject access report covers every kind of record without importing them.
        autodiscover_modules("subject_access")
