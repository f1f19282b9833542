"""Every message the portal's Python code shows a person goes through gettext, as the templates' text does, so that
a member who chose English in the footer reads English errors too (the API's error shape and the pages' messages).

A static check of the source: a `raise SomeError("…")` (or `message=`), a `messages.error(request, "…")` and a
`default_message = "…"` or `message = "…"` with Russian letters written as a bare string or f-string is reported
with its place."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

APPS = ["orgs", "invites", "chats", "policies", "stats", "roster", "safety", "portal"]
CYRILLIC = re.compile("[А-Яа-яЁё]")
SKIPPED_PARTS = {"migrations", "management", "tests", "__pycache__"}
MESSAGE_CALLS = {"error", "success", "warning", "info"}
# Names a message is put in before it is raised (`message = "…"; raise RuleViolation(message, …)`).
MESSAGE_NAMES = {"default_message", "message"}


def _bare_russian(node) -> bool:
    """A string literal or f-string with Russian letters, not wrapped in a call (gettext and friends)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(CYRILLIC.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_bare_russian(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):  # "…%s…" % x: still a bare literal
        return _bare_russian(node.left)
    return False


def _message_of(call: ast.Call):
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "message"), None)


def untranslated(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        candidate = None
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            candidate = _message_of(node.exc)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MESSAGE_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "messages"
            and len(node.args) >= 2
        ):
            candidate = node.args[1]
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in MESSAGE_NAMES for t in node.targets
        ):
            candidate = node.value
        if candidate is not None and _bare_russian(candidate):
            found.append((node.lineno, f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}"))
    return [place for _line, place in sorted(found)]


def sources(app: str):
    root = Path(settings.BASE_DIR) / app
    return sorted(p for p in root.rglob("*.py") if not SKIPPED_PARTS & set(p.relative_to(root).parts))


def test_the_check_finds_a_bare_message_and_passes_a_translated_one(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    bad = tmp_path / "bad.py"
    bad.write_text(
        'raise RuleViolation("Класс уже есть.")\n'
        'raise Conflict(f"«{name}» уже есть в структуре.", code="x")\n'
        'messages.error(request, "Ссылка отозвана.")\n'
        'default_message = "Не найдено."\n'
        'message = f"Допустимые значения: {allowed}."\n',
        encoding="utf-8",
    )
    good = tmp_path / "good.py"
    good.write_text(
        'raise RuleViolation(_("Класс уже есть."))\n'
        'raise Conflict(_("«%(name)s» уже есть в структуре.") % {"name": name}, code="x")\n'
        'messages.error(request, _("Ссылка отозвана."))\n'
        'default_message = _("Не найдено.")\n'
        'raise ValueError("bad input")\n',
        encoding="utf-8",
    )
    assert untranslated(bad) == ["bad.py:1", "bad.py:2", "bad.py:3", "bad.py:4", "bad.py:5"]
    assert untranslated(good) == []


@pytest.mark.parametrize("app", APPS)
def test_every_message_of_the_app_goes_through_gettext(app):
    found = [place for path in sources(app) for place in untranslated(path)]
    assert not found, f"{len(found)} messages without gettext:\n" + "\n".join(found)
