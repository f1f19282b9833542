"""The apps depend one way (docs/architecture.md): a lower app never imports a higher one. The rule is the
import-linter contract in pyproject.toml; these tests run it and keep it covering every app of the portal."""

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from importlinter.cli import lint_imports

PYPROJECT = Path(settings.BASE_DIR) / "pyproject.toml"


def _contract() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_no_app_imports_a_higher_one(capsys, monkeypatch):
    monkeypatch.chdir(settings.BASE_DIR)
    code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


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
