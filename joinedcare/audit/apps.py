from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "joinedcare.audit"
    label = "audit"
    verbose_name = "Audit"
