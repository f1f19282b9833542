"""Offline by design: no template or style sheet makes a browser fetch a script, style, font or image from another
host (many school servers have no internet). The rendered API docs page: tests/test_security_headers.py and, in a
browser, tests/e2e/test_api_docs.py."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

# What a browser fetches by itself: any src (scripts, images, frames, media), srcset, <link href> (style sheets,
# icons, fonts, preloads), <object data>, <use href>, and CSS url() and @import. An <a href> is a link the reader
# follows, not an asset.
ASSET = re.compile(
    r"""(?:\b(?:src|srcset|data|poster)\s*=\s*["']?\s*(?P<attr>[^"'\s>]+))"""
    r"""|(?:<link\b[^>]*?\bhref\s*=\s*["']?\s*(?P<link>[^"'\s>]+))"""
    r"""|(?:<use\b[^>]*?\bhref\s*=\s*["']?\s*(?P<use>[^"'\s>]+))"""
    r"""|(?:url\(\s*["']?\s*(?P<url>[^"')\s]+))"""
    r"""|(?:@import\s+["'](?P<import>[^"']+))""",
    re.IGNORECASE,
)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)  # http://, https://, //cdn…, ftp://…


def external_assets(text: str) -> list[str]:
    found = []
    for match in ASSET.finditer(text):
        value = next(v for v in match.groupdict().values() if v)
        if EXTERNAL.match(value):
            found.append(value)
    return found


def template_dirs() -> list[Path]:
    """templates/ and the templates directory of every app of the portal. The libraries' pages the portal serves
    (the admin, Swagger UI, the browsable API) are checked as rendered, by the walk of tests/test_security_headers.py;
    drf-spectacular's ReDoc template, which loads Google's fonts, is not served."""
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    dirs += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR) and ".venv" not in Path(app.path).parts
    ]
    return [d for d in dirs if d.is_dir()]


def test_the_check_finds_what_the_api_docs_page_once_loaded_from_a_cdn():
    """The line Swagger UI came with before it was served by the portal, and the other shapes of a foreign asset."""
    old = '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@latest/swagger-ui.css">'
    assert external_assets(old) == ["https://cdn.jsdelivr.net/npm/swagger-ui-dist@latest/swagger-ui.css"]
    assert external_assets('<script src="//unpkg.com/x.js"></script>') == ["//unpkg.com/x.js"]
    assert external_assets("@font-face { src: url('https://fonts.gstatic.com/a.woff2') }") == [
        "https://fonts.gstatic.com/a.woff2"
    ]
    assert external_assets('@import "http://example.org/a.css";') == ["http://example.org/a.css"]
    assert external_assets('<img src="{% static \'a.png\' %}"><a href="https://example.org/">') == []


def test_no_template_loads_anything_from_another_host():
    found = []
    checked = 0
    for directory in template_dirs():
        for path in directory.rglob("*"):
            if path.suffix not in {".html", ".txt", ".xml", ".svg", ".css", ".js"} or not path.is_file():
                continue
            checked += 1
            found += [f"{path}: {url}" for url in external_assets(path.read_text(encoding="utf-8", errors="replace"))]
    assert checked > 100
    assert not found, "\n".join(found)


def test_no_static_file_of_the_portal_loads_anything_from_another_host():
    found = []
    for directory in settings.STATICFILES_DIRS:
        for path in Path(directory).rglob("*"):
            if path.suffix in {".css", ".js", ".html", ".svg"}:
                found += [f"{path}: {url}" for url in external_assets(path.read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)
