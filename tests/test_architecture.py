"""The apps depend one way (docs/architecture.md): a lower app never imports a higher one. The rule is the
import-linter contract in pyproject.toml; these tests run it and keep it covering every app of the portal. Every app
lays out its pages and API one way, and a page of orgs never loads a higher app's template tags."""

import re
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


def _our_apps() -> list:
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and ".venv" not in Path(config.path).parts
    ]


def test_every_app_lays_out_its_pages_and_api_one_way():
    """<app>/views/<part>.py and <app>/api/<part>.py with urls.py and serializers.py, not flat modules."""
    wrong = []
    for config in _our_apps():
        root = Path(config.path)
        if not (root / "urls.py").exists():
            continue  # no pages (mail, rate limits)
        flat = [p.name for p in root.glob("*.py") if re.fullmatch(r"(api|views)(_\w+)?\.py|\w+_views\.py", p.name)]
        wrong += [f"{config.name}: flat module {name}" for name in flat]
        for needed in ("views/__init__.py", "api/__init__.py", "api/urls.py", "api/serializers.py"):
            if not (root / needed).exists():
                wrong.append(f"{config.name}: no {needed}")
    assert not wrong, wrong


def test_orgs_pages_load_no_template_tags_of_higher_apps():
    """A higher app adds to a page of orgs through a page section (orgs.hooks), never by a tag orgs would load."""
    libraries = {}
    for config in _our_apps():
        for module in (Path(config.path) / "templatetags").glob("*.py"):
            libraries[module.stem] = config.name
    loads = []
    for template in (Path(settings.BASE_DIR) / "templates" / "orgs").rglob("*.html"):
        for names in re.findall(r"{%\s*load\s+([^%]+?)\s*%}", template.read_text(encoding="utf-8")):
            loads += [(template.name, name) for name in names.split() if libraries.get(name, "orgs") != "orgs"]
    assert not loads, loads
