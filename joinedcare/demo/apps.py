from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "joinedcare.demo"
    label = "demo"
    verbose_name = "Demo County"
