import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashikaga_portal.settings")
application = get_wsgi_application()

from core.envfile import refuse_malformed  # noqa: E402  (after Django is set up)

refuse_malformed()
