"""The apps depend one way (docs/architecture.md): a lower app never imports a higher one. The rule is the
import-linter contract in pyproject.toml; these tests run it and keep it covering every app of the portal."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

PYPROJECT = Path(settings.BASE_DIR) / "pyproject.toml"


def _contract() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_no_app_imports_a_higher_one():
    # In a process of its own: import-linter configures logging with dictConfig, which would switch off every logger
    # the portal and its libraries had made (WeasyPrint's refusals, kombu's warnings) for the tests that follow.
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [str(lint), str(PYPROJECT), "--no-cache"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_app_of_the_portal_has_its_layer():
    """A new app must take its place in the layers, or the contract would not look at it."""
    base = Path(settings.BASE_DIR).resolve()
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and ".venv" not in Path(config.path).parts
    }
    contract = _contract()
    layered = {name.strip() for layer in contract["contracts"][0]["layers"] for name in layer.split("|")}
    assert ours <= set(contract["root_packages"])
    assert ours <= layered
