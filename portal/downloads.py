"""Files handed to the browser or an API client as downloads (PDF, CSV, XLSX)."""

from django.http import HttpResponse


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """An attachment no cache keeps: files hold working links or an organisation's figures. The name is ASCII."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
