from django.apps import AppConfig


class RateLimitConfig(AppConfig):
    name = "portal.ratelimit"
    label = "ratelimit"
    verbose_name = "Ограничение попыток"
