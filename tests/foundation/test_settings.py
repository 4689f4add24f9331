"""Production settings refuse insecure configuration: checked in a fresh interpreter, as a server would start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.checks import insecure_settings

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x1Y2z3W4v5U6t7S8r9Q0p1O2n3M4l5K6j7I8h9G0f1E2d3C4b5A6"


def start_production(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    base.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, "
            "settings.DEBUG)")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True,
                          check=False)


@pytest.mark.parametrize("env, problem", [
    ({"ALLOWED_HOSTS": "treem.example.vn"}, "SECRET_KEY is not set"),
    ({"SECRET_KEY": "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl",
      "ALLOWED_HOSTS": "treem.example.vn"}, "default or weak"),
    ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "treem.example.vn"}, "default or weak"),
    ({"SECRET_KEY": STRONG_KEY, "DEBUG": "1", "ALLOWED_HOSTS": "treem.example.vn"}, "DEBUG is on"),
    ({"SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS is not set"),
])
def test_production_refuses_to_start(env, problem):
    result = start_production(**env)
    assert result.returncode != 0
    assert "refuses to start in production" in result.stderr and problem in result.stderr


def test_production_starts_with_secure_cookies_and_hsts():
    result = start_production(SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="treem.example.vn")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "False"]


def test_insecure_settings_lists_every_problem():
    assert len(insecure_settings(environ={}, debug=True)) == 3
    assert insecure_settings(environ={"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "a"}, debug=False) == []


def test_no_secret_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert not any(name.startswith("var/") or name.endswith((".sqlite3", "secret_key")) for name in tracked)
