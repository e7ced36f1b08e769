"""Project configuration for Fonds: settings, URLs and the WSGI/ASGI entry points."""
