"""What the outside world touches: OGC API (pygeoapi), REST API, jobs, web map."""
