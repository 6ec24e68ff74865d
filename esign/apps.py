from django.apps import AppConfig


class EsignConfig(AppConfig):
    name = "esign"
    verbose_name = "電子契約サービス"
