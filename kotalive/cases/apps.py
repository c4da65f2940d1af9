from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "kotalive.cases"
    label = "cases"
    verbose_name = "Applications"
