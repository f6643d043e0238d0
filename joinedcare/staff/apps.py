from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "joinedcare.staff"
    label = "staff"
    verbose_name = "Staff, roles and sign-in"
