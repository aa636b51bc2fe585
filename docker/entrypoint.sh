#!/bin/sh
# web: migrate, validate the generated pygeoapi config, serve with gunicorn (bco serve).
# worker: run the analysis queue.  scheduler: queue the periodic tasks.  Anything else: passed to `bco`.
set -e
case "$1" in
  web)
    bco migrate --no-input
    bco ogc-config
    exec bco serve 0.0.0.0:8000   # gunicorn with WEB_CONCURRENCY workers (default 2)
    ;;
  worker)
    exec bco worker
    ;;
  scheduler)
    exec bco scheduler
    ;;
  *)
    exec bco "$@"
    ;;
esac
