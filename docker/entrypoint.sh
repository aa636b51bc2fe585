#!/bin/sh
# web: migrate, validate the generated pygeoapi config, serve with gunicorn.
# worker: run the analysis queue.  Anything else: passed to `bco`.
set -e
case "$1" in
  web)
    bco migrate --no-input
    bco ogc-config
    exec gunicorn geo_bco.wsgi:application --bind 0.0.0.0:8000 --workers "${WEB_WORKERS:-3}" --access-logfile -
    ;;
  worker)
    exec bco worker
    ;;
  *)
    exec bco "$@"
    ;;
esac
