from django.apps import AppConfig


class SuretyConfig(AppConfig):
    name = "surety"
    verbose_name = "電子保証"
