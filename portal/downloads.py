"""Files handed to the browser or an API client as downloads (PDF, CSV, XLSX)."""

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """An attachment no cache keeps: files hold working links or an organisation's figures. The name is ASCII."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def content_disposition(name: str, *, inline: bool) -> str:
    """`inline` or `attachment` with an ASCII fallback name and the real one as RFC 5987 `filename*`."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", ascii_stem).strip(" ._") or "file"
    ascii_ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:16]
    fallback = f"{ascii_stem[:100]}.{ascii_ext}" if ascii_ext else ascii_stem[:100]
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
