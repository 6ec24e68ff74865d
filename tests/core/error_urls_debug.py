"""tests.core.error_urls as ashikaga_portal.urls builds them with DEBUG on (the catch-all that
answers unknown addresses with the Japanese 404 page)."""

from django.urls import re_path

from core.middleware import portal_not_found
from tests.core.error_urls import urlpatterns as error_urlpatterns

urlpatterns = [*error_urlpatterns, re_path(r"^(?P<path>.*/)$", portal_not_found)]
