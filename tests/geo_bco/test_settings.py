"""Safe by default: settings as a fresh process reads them from the environment."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "0", "BCO_HTTPS": "1", "ALLOWED_HOSTS": "crime.example.org",
              "BCO_PUBLIC_URL": "https://crime.example.org", "SECRET_KEY": "k" * 10 + os.urandom(30).hex()}


def bco(*args: str, env: dict[str, str], unset: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in unset and k not in {"DEBUG", "SECRET_KEY"}} | env
    return subprocess.run([sys.executable, "-m", "geo_bco.cli", *args], env=environ, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def settings_of(env: dict[str, str], *names: str) -> dict[str, str]:
    """The named settings (as repr) in a fresh process with ``env``."""
    code = ("import django, json; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{n: repr(getattr(settings, n, None)) for n in {list(names)!r}}}))")
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}} | env
    environ["DJANGO_SETTINGS_MODULE"] = "geo_bco.settings"
    result = subprocess.run([sys.executable, "-c", code], env=environ, cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_settings():
    result = bco("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_plain_http_lacks():
    """The same check without BCO_HTTPS fails: the clean result above is the HTTPS settings' doing."""
    result = bco("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION | {"BCO_HTTPS": "0"})
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_debug_is_off_unless_asked_for_and_the_key_is_generated_once_privately(tmp_path):
    env = {"BCO_VAR_DIR": str(tmp_path / "var")}
    first = settings_of(env, "DEBUG", "SECRET_KEY")
    second = settings_of(env | {"DEBUG": "1"}, "DEBUG", "SECRET_KEY")
    assert (first["DEBUG"], second["DEBUG"]) == ("False", "True")
    key_file = tmp_path / "var" / "secret_key"
    assert first["SECRET_KEY"] == second["SECRET_KEY"] == repr(key_file.read_text()) and len(key_file.read_text()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings_of(env | {"SECRET_KEY": "x" * 60}, "SECRET_KEY")["SECRET_KEY"] == repr("x" * 60)


def test_a_malformed_number_is_refused_naming_the_variable():
    result = bco("check", env={"BCO_DB_POOL_SIZE": "lots"})
    assert result.returncode != 0 and "BCO_DB_POOL_SIZE='lots': expected a whole number" in result.stderr


def test_https_settings_follow_bco_https():
    names = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER")
    assert settings_of(PRODUCTION, *names) == {
        "SESSION_COOKIE_SECURE": "True", "CSRF_COOKIE_SECURE": "True", "SECURE_SSL_REDIRECT": "True",
        "SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')"}
    plain = settings_of(PRODUCTION | {"BCO_HTTPS": "0"}, *names)
    assert plain["SESSION_COOKIE_SECURE"] == plain["SECURE_SSL_REDIRECT"] == "False"


def test_the_rate_limit_is_police_uk_s_by_default():
    """15 requests/s on average with bursts of 30, on the public API, the OGC API and the tiles."""
    unset = {"BCO_RATE_LIMIT": "", "BCO_RATE_LIMIT_BURST": ""}
    assert settings_of(unset, "RATE_LIMIT_PER_SECOND", "RATE_LIMIT_BURST", "RATE_LIMIT_PATHS") == {
        "RATE_LIMIT_PER_SECOND": "15", "RATE_LIMIT_BURST": "30", "RATE_LIMIT_PATHS": "('/api/', '/ogcapi/', '/tiles/')"}
