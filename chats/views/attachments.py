"""Files of messages, served by the portal itself to the people who may read the chat (never from a public path).

Every other request gets 404: another chat, another organisation, a deleted message. Documents download as
attachments; photos, audio and video open inline. The stored content type is sent with `nosniff`, and the file
name only in a Content-Disposition built from the person's file name, percent-encoded."""

import re

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from portal.downloads import content_disposition
from portal.exceptions import NotFound

from ..models import Attachment
from ..services.messages import chat_get_for

INLINE_KINDS = {Attachment.Kind.PHOTO, Attachment.Kind.AUDIO, Attachment.Kind.VIDEO}
CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _user(request):
    """The signed-in person, or the owner of the API token in the Authorization header (apps fetch files too)."""
    if request.user.is_authenticated:
        return request.user
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return found[0] if found else None


def _attachment_or_404(user, chat_id, attachment_id) -> Attachment:
    try:
        chat = chat_get_for(user, chat_id)
    except NotFound:
        raise Http404 from None
    attachment = Attachment.objects.filter(pk=attachment_id, chat=chat, message__deleted_at__isnull=True).first()
    if attachment is None:
        raise Http404
    return attachment


def _byte_range(header: str, size: int):
    """(start, end) of a single `bytes=` range, None to send the whole file, or "invalid" for 416."""
    match = _RANGE.match(header.strip()) if header else None
    if not match or not (match[1] or match[2]):
        return None
    if match[1]:
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
    else:
        start, end = max(size - int(match[2]), 0), size - 1
    if start >= size or start > end:
        return "invalid"
    return start, end


def _stream(handle, start: int, length: int):
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _serve(request, field, content_type: str, name: str, *, inline: bool):
    storage = field.storage
    if not field.name or not storage.exists(field.name):
        raise Http404
    size = storage.size(field.name)
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    wanted = _byte_range(request.headers.get("Range", ""), size)
    if wanted == "invalid":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted:
        # Safari plays audio and video only from a server that answers ranges.
        start, end = wanted
        response = StreamingHttpResponse(
            _stream(storage.open(field.name, "rb"), start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(storage.open(field.name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition(name, inline=inline)
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    # Checked per person: shared caches must not keep it; the file never changes, so the browser may.
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _view(request, chat_id, attachment_id, *, thumbnail: bool):
    user = _user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    attachment = _attachment_or_404(user, chat_id, attachment_id)
    if thumbnail:
        if not attachment.thumbnail:
            raise Http404
        stem = attachment.original_name.rpartition(".")[0] or attachment.original_name
        return _serve(request, attachment.thumbnail, "image/jpeg", f"{stem}.jpg", inline=True)
    inline = attachment.kind in INLINE_KINDS
    return _serve(request, attachment.file, attachment.content_type, attachment.original_name, inline=inline)


@require_GET
def attachment_download(request, chat_id, attachment_id):
    return _view(request, chat_id, attachment_id, thumbnail=False)


@require_GET
def attachment_thumbnail(request, chat_id, attachment_id):
    return _view(request, chat_id, attachment_id, thumbnail=True)
