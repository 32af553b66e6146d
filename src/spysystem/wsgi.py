"""WSGI entry point for any WSGI server (``spy web`` uses waitress)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spysystem.settings")
application = get_wsgi_application()
