from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "kotalive.workflow"
    label = "workflow"
    verbose_name = "Workflow"
