"""Police exports into PostGIS: read -> validate -> load, every row accounted for."""

from .loading import ImportResult, import_file
from .reading import ReadError

__all__ = ["ImportResult", "ReadError", "import_file"]
