"""geo-bco: the Django project and the incident domain (models, import, geocoding, CLI)."""

__version__ = "0.1.0"
