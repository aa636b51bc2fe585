#!/usr/bin/env bash
# geo-bco: set up everything on a fresh Debian/Ubuntu machine (as root), then run
#   bash setup.sh demo   set up, load Belize boundaries, import a synthetic demo set,
#                        compute every layer kind, serve on http://127.0.0.1:8000 (gunicorn, DEBUG off) until stopped
#   bash setup.sh test   set up, then run the whole test suite against a real PostGIS
#   bash setup.sh prod [start|stop|status]
#                        set up, then start (default), stop or show the production processes: web (gunicorn),
#                        worker and scheduler, PID files in var/run/, logs in var/log/ (bco prod; docs/deployment.md)
#   bash setup.sh        set up only
# Idempotent: a second run installs nothing new and takes seconds.
# Environment: DATABASE_URL (default postgres://geo_bco:geo_bco@127.0.0.1:5432/geo_bco),
#              BCO_PYTHON (a Python >= 3.12 to use), BCO_SKIP_APT=1 (system packages are managed elsewhere),
#              WEB_CONCURRENCY (gunicorn workers for the demo, default 2).
# The signing key: SECRET_KEY if set, else the first bco command below generates one into
# var/secret_key (mode 0600, git-ignored) and every later start reads it (geo_bco/secret_key.py).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
export DATABASE_URL="${DATABASE_URL:-postgres://geo_bco:geo_bco@127.0.0.1:5432/geo_bco}"
export DJANGO_SETTINGS_MODULE=geo_bco.settings
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# --- system packages ----------------------------------------------------------
apt_install() {
  [ "${BCO_SKIP_APT:-0}" = 1 ] && return 0
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
  say "installing system packages: ${missing[*]}"
  if [ ! -f /var/lib/apt/periodic/geo-bco-updated ] || [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit)" ]; then
    apt-get update -qq && mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/geo-bco-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pg_major() {
  if command -v pg_config >/dev/null 2>&1; then pg_config --version | sed -E 's/[^0-9]*([0-9]+).*/\1/'; return; fi
  ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1
}

install_system() {
  apt_install postgresql postgresql-contrib gdal-bin libgdal-dev libgeos-c1v5 libproj-dev ca-certificates
  # bulletins: WeasyPrint's Pango, a font, poppler (pdftoppm: the bulletin's test); gettext: compilemessages
  apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils gettext
  local major; major=$(pg_major)
  [ -n "$major" ] || die "PostgreSQL is not installed and could not be installed"
  apt_install "postgresql-$major-postgis-3"
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  # test: a browser for the web map, real QGIS (run by /usr/bin/python3) for the OGC API
  if [ "${1:-}" = test ]; then apt_install chromium chromium-driver python3-qgis qgis-providers; fi
}

# --- Python ---------------------------------------------------------------------
find_python() {
  # 3.12 first: every dependency has wheels for it (the test suite runs there)
  local candidates=("${BCO_PYTHON:-}" python3.12 python3.13 python3)
  for v in /root/.pyenv/versions/3.12* /root/.pyenv/versions/3.13*; do [ -x "$v/bin/python3" ] && candidates+=("$v/bin/python3"); done
  for c in "${candidates[@]}"; do
    [ -n "$c" ] || continue
    local path; path=$(command -v "$c" 2>/dev/null) || continue
    "$path" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$path"; return; }
  done
  return 1
}

install_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    local py; py=$(find_python) || die "no Python >= 3.12 found (pygeoapi needs it). Install python3.12+ (Debian 13: apt install python3 python3-venv) or set BCO_PYTHON."
    say "creating virtual environment with $py"
    "$py" -m venv "$VENV" || { apt_install python3-venv; "$py" -m venv "$VENV"; }
  fi
  local stamp="$VENV/.geo-bco-installed" want
  want=$(sha256sum pyproject.toml | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing Python packages"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -e ".[test]"
    echo "$want" > "$stamp"
  fi
  local npm_stamp="node_modules/.geo-bco-installed" npm_want
  npm_want=$(sha256sum package.json package-lock.json | sha256sum | cut -c1-16)
  if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
    say "installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$npm_want" > "$npm_stamp"
  fi
}

# --- PostgreSQL + PostGIS ---------------------------------------------------------
db_field() { "$VENV/bin/python" -c "import dj_database_url,sys; c=dj_database_url.parse('$DATABASE_URL'); print(c['$1'] or '')"; }

ensure_postgres() {
  local host port
  host=$(db_field HOST); port=$(db_field PORT); host=${host:-127.0.0.1}; port=${port:-5432}
  if ! pg_isready -q -h "$host" -p "$port"; then
    case "$host" in 127.0.0.1|localhost|::1) ;; *) die "PostgreSQL at $host:$port does not answer (DATABASE_URL)";; esac
    local major; major=$(pg_major)
    say "starting local PostgreSQL $major"
    if ! pg_lsclusters -h 2>/dev/null | grep -q .; then pg_createcluster "$major" main >/dev/null; fi
    local cluster; cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
    pg_ctlcluster --skip-systemctl-redirect $cluster start 2>/dev/null || pg_ctlcluster $cluster start
    for _ in $(seq 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
    pg_isready -q -h "$host" -p "$port" || die "PostgreSQL did not start on $host:$port"
  fi
  local user pass name
  user=$(db_field USER); pass=$(db_field PASSWORD); name=$(db_field NAME)
  # Local server: make the role (superuser, so tests can create their database with
  # PostGIS) and the database, as the postgres system user over the local socket.
  if id postgres >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    local admin=(runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA -p "$port")
    if [ "$("${admin[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != 1 ]; then
      say "creating database role $user"
      "${admin[@]}" -c "CREATE ROLE \"$user\" LOGIN SUPERUSER PASSWORD '$pass'"
    fi
    if [ "$("${admin[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
      say "creating database $name"
      "${admin[@]}" -c "CREATE DATABASE \"$name\" OWNER \"$user\""
    fi
  fi
  PGPASSWORD="$pass" psql -qtA -h "$host" -p "$port" -U "$user" -d "$name" -v ON_ERROR_STOP=1 \
    -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null || die "cannot create the postgis extension in $name"
}

setup() {
  install_system "${1:-}"
  install_python
  ensure_postgres
  say "migrating the database"
  "$VENV/bin/bco" migrate --no-input -v 0
  "$VENV/bin/bco" load-boundaries --belize -v 0 >/dev/null
  "$VENV/bin/bco" load-gazetteer --belize -v 0 >/dev/null
  "$VENV/bin/bco" collectstatic --no-input -v 0
  (cd services && "$VENV/bin/bco" compilemessages -v 0)  # the Spanish catalogues (.po in git, .mo built here)
}

case "${1:-setup}" in
  setup) setup ;;
  demo)
    setup
    say "generating and importing the synthetic demo incidents"
    "$VENV/bin/bco" demo-data
    BCO_REFRESH_AFTER_IMPORT=0 "$VENV/bin/bco" import var/demo_incidents.csv --source demo --show-rejected 3
    say "every layer kind (bco refresh --methods all), over all offences and per category"
    "$VENV/bin/bco" refresh --methods all
    say "serving on http://127.0.0.1:8000 (map, /dashboard/), /ogcapi/ (OGC API Features), /analyst/ogcapi/, /api/ (REST); Ctrl-C stops"
    # The demo answers only this machine, where GIS tools crawl every collection at full speed:
    # a looser per-client limit than the public default (15/s, bursts of 30) unless one is set.
    export BCO_RATE_LIMIT="${BCO_RATE_LIMIT:-200}" BCO_RATE_LIMIT_BURST="${BCO_RATE_LIMIT_BURST:-400}"
    exec "$VENV/bin/bco" serve 127.0.0.1:8000   # gunicorn, WEB_CONCURRENCY workers
    ;;
  prod)
    setup
    shift || true
    exec "$VENV/bin/bco" prod "${@:-start}"
    ;;
  test)
    setup test
    say "running the test suite"
    shift || true
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *) die "usage: bash setup.sh [setup|demo|test|prod [start|stop|status]]" ;;
esac
