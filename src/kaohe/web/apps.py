from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kaohe.web"
    label = "kaohe"
    verbose_name = "科技创新行动考核"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .services import security_log  # noqa: F401  (connects the auth signal receivers)
