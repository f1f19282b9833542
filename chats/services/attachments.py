"""Files of messages: the content decides the type (never the name alone), sizes are limited per kind, photos get a
thumbnail. Every file is checked before anything is written, and a refused or failed upload leaves nothing behind:
no Attachment rows and no files under MEDIA_ROOT.

The original file is stored as it came (its EXIF, GPS included, stays in it); only the thumbnail is re-encoded
without metadata. Members who download the original get it byte for byte."""

import codecs
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from filetype.types import archive, audio, image, video
from PIL import Image, ImageOps

from portal.exceptions import RuleViolation

from ..models import Attachment, Message

PHOTO, AUDIO, VIDEO, DOCUMENT = (Attachment.Kind.PHOTO, Attachment.Kind.AUDIO, Attachment.Kind.VIDEO,
                                 Attachment.Kind.DOCUMENT)  # fmt: skip
THUMBNAIL_SIZE = 480
HEAD_BYTES = 8192
MB = 1024 * 1024

# The allow-list: extension -> (kind, content type served, formats the content may have). Anything else is refused.
TYPES = {
    "jpg": (PHOTO, "image/jpeg", {"jpeg"}),
    "jpeg": (PHOTO, "image/jpeg", {"jpeg"}),
    "png": (PHOTO, "image/png", {"png"}),
    "webp": (PHOTO, "image/webp", {"webp"}),
    "gif": (PHOTO, "image/gif", {"gif"}),
    "mp3": (AUDIO, "audio/mpeg", {"mp3"}),
    "ogg": (AUDIO, "audio/ogg", {"ogg"}),
    "oga": (AUDIO, "audio/ogg", {"ogg"}),
    "opus": (AUDIO, "audio/ogg", {"ogg"}),
    # Phones record M4A with either the M4A brand or the plain MP4 one: the container is the same.
    "m4a": (AUDIO, "audio/mp4", {"m4a", "mp4"}),
    "aac": (AUDIO, "audio/aac", {"adts"}),
    "wav": (AUDIO, "audio/wav", {"wav"}),
    "mp4": (VIDEO, "video/mp4", {"mp4", "m4a"}),
    "webm": (VIDEO, "video/webm", {"webm"}),
    "mov": (VIDEO, "video/quicktime", {"mov"}),
    "pdf": (DOCUMENT, "application/pdf", {"pdf"}),
    "docx": (DOCUMENT, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}),
    "xlsx": (DOCUMENT, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}),
    "pptx": (DOCUMENT, "application/vnd.openxmlformats-officedocument.presentationml.presentation", {"pptx"}),
    "odt": (DOCUMENT, "application/vnd.oasis.opendocument.text", {"odt"}),
    "ods": (DOCUMENT, "application/vnd.oasis.opendocument.spreadsheet", {"ods"}),
    "txt": (DOCUMENT, "text/plain", {"text"}),
    "csv": (DOCUMENT, "text/csv", {"text"}),
}
TEXT_EXTENSIONS = {"txt", "csv"}
ACCEPT = ",".join(f".{ext}" for ext in TYPES)
ALLOWED_HINT = gettext_lazy(
    "фото (JPEG, PNG, WebP, GIF), аудио (MP3, OGG, M4A, AAC, WAV), видео (MP4, WebM, MOV), "
    "документы (PDF, DOCX, XLSX, PPTX, ODT, ODS, TXT, CSV)"
)
KIND_LABELS = {
    PHOTO: gettext_lazy("фото"),
    AUDIO: gettext_lazy("аудио"),
    VIDEO: gettext_lazy("видео"),
    DOCUMENT: gettext_lazy("документы"),
}

# Programs and scripts: refused by the final extension, and by any inner one («photo.jpg.exe», «act.exe.pdf»).
EXECUTABLE_EXTENSIONS = {
    "exe", "com", "bat", "cmd", "sh", "bash", "zsh", "csh", "ksh", "command", "js", "mjs", "cjs", "jse", "vbs", "vbe",
    "wsf", "wsh", "ps1", "psm1", "psd1", "hta", "msi", "msix", "msp", "appx", "apk", "aab", "xapk", "ipa", "jar",
    "scr", "pif", "cpl", "dll", "sys", "lnk", "reg", "inf", "scf", "gadget", "application", "run", "bin", "elf",
    "so", "dylib", "app", "dmg", "pkg", "deb", "rpm", "py", "pyw", "pl", "rb", "php", "lua", "tcl", "ahk", "vb",
}  # fmt: skip
# Inner parts that are also ordinary words or domains («school.com.pdf») are left to the final-extension check.
INNER_EXECUTABLE_EXTENSIONS = EXECUTABLE_EXTENSIONS - {"com", "app", "bin", "run", "inf", "reg", "sys", "pkg", "so"}

_MATCHERS = {
    "jpeg": image.Jpeg(),
    "png": image.Png(),
    "gif": image.Gif(),
    "webp": image.Webp(),
    "mp3": audio.Mp3(),
    "adts": audio.Aac(),
    "ogg": audio.Ogg(),
    "wav": audio.Wav(),
    "webm": video.Webm(),
    "pdf": archive.Pdf(),
}
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V ", b"mp71",
    b"3gp4", b"3gp5", b"3gp6", b"MSNV", b"f4v ",
}  # fmt: skip
_M4A_BRANDS = {b"M4A ", b"M4B "}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
_OOXML = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_ODF = {b"application/vnd.oasis.opendocument.text": "odt", b"application/vnd.oasis.opendocument.spreadsheet": "ods"}
_MACHO = {b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"}
# Names lose control and formatting characters: no line breaks and no right-to-left override («фото\u202egpj.exe»).
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


@dataclass
class CheckedFile:
    """A file that passed every check, ready to store."""

    upload: object
    name: str
    extension: str
    kind: str
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


class _Refused(Exception):
    pass


def max_bytes(kind: str) -> int:
    return settings.CHAT_ATTACHMENT_MAX_BYTES[kind]


def clean_name(raw) -> str:
    """The person's file name without folders and control characters, at most 255 characters, extension kept."""
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    # Windows drops trailing dots and spaces: «virus.exe.» opens as «virus.exe».
    name = unicodedata.normalize("NFC", name).strip().rstrip(". ").strip()
    if not name:
        return "файл"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 254 - len(ext)]}.{ext}" if dot and stem and len(ext) <= 16 else name[:255]
    return name


def _shown(name: str) -> str:
    return name if len(name) <= 80 else f"{name[:60]}…{name[-15:]}"


def _size_text(size: int) -> str:
    if size < MB:
        return _("%(size)s КБ") % {"size": size // 1024} if size >= 1024 else _("%(size)s байт") % {"size": size}
    value = size / MB
    shown = f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")
    return _("%(size)s МБ") % {"size": shown}


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return bytes(head)


def _is_program(head: bytes, extension: str) -> bool:
    """PE («MZ»), ELF and Mach-O executables and «#!» scripts, whatever their name says."""
    if head[:2] == b"MZ":
        # Every DOS/PE header has zero bytes in its first fields; a text file that starts with «MZ» has none.
        return extension not in TEXT_EXTENSIONS or b"\x00" in head[:64]
    return head[:4] == b"\x7fELF" or head[:4] in _MACHO or head[:3] in (b"#!/", b"#! ")


def _iso_format(head: bytes) -> str | None:
    """MP4, M4A and QuickTime share the ISO media container; its `ftyp` brands tell them apart."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if major == b"qt  ":
        return "mov"
    if major in _HEIF_BRANDS:
        return "heif"
    if major in _M4A_BRANDS:
        return "m4a"
    return "mp4" if brands & _MP4_BRANDS else None


def _zip_format(upload) -> str:
    """docx/xlsx/pptx by their main part, odt/ods by their `mimetype` entry; reads the directory, unpacks nothing
    but that small entry. Office files with macros are refused."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive_file:
            names = set(archive_file.namelist())
            if any(n.lower().endswith("vbaproject.bin") for n in names) or any(n.startswith("Basic/") for n in names):
                return "macros"
            if "[Content_Types].xml" in names:
                return next((fmt for part, fmt in _OOXML.items() if part in names), "zip")
            if "mimetype" in names and archive_file.getinfo("mimetype").file_size <= 100:
                return _ODF.get(archive_file.read("mimetype").strip(), "zip")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError, RuntimeError):
        return "broken"
    finally:
        upload.seek(0)
    return "zip"


def _detect(upload, head: bytes) -> str | None:
    for fmt, matcher in _MATCHERS.items():
        if matcher.match(bytearray(head)):
            return fmt
    fmt = _iso_format(head)
    if fmt:
        return fmt
    if head[:4] == b"PK\x03\x04":
        return _zip_format(upload)
    return None


def _check_text(upload, name: str) -> None:
    """Plain text is valid UTF-8 without NUL bytes, read through to the end."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                raise _Refused(_("Содержимое файла «%(name)s» не соответствует его расширению.") % {"name": name})
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _Refused(_("Текстовый файл «%(name)s» должен быть в кодировке UTF-8.") % {"name": name}) from None
    finally:
        upload.seek(0)


def _flatten(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.getchannel("A"))
        return background
    if img.mode.startswith("I;16") or img.mode in ("I", "F"):
        img = img.convert("I").point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def _check_image(upload, name: str, fmt: str) -> tuple[int, int, bytes]:
    """Open the image with Pillow (only its declared format), refuse it above the pixel limit before decoding it,
    decode it whole (a broken or truncated image fails), and make a JPEG thumbnail without EXIF or GPS."""
    limit = settings.CHAT_IMAGE_MAX_PIXELS
    too_big = _("Изображение «%(name)s» слишком большое: не более %(limit)s мегапикселей.") % {
        "name": name,
        "limit": limit // 1_000_000,
    }
    broken = _("Изображение «%(name)s» повреждено или не читается.") % {"name": name}
    formats = [_PILLOW_FORMATS[fmt]]
    try:
        upload.seek(0)
        # Opening reads the header only: the size is known before a single pixel is decoded. (Pillow itself
        # raises DecompressionBombError far above our limit; the limit here is the one that counts.)
        with Image.open(upload, formats=formats) as img:
            width, height = img.size
            if width * height > limit:
                raise _Refused(too_big)
            img.verify()
        upload.seek(0)
        with Image.open(upload, formats=formats) as img:
            if img.size != (width, height):
                raise _Refused(broken)
            orientation = img.getexif().get(0x0112)
            img.draft("RGB", (THUMBNAIL_SIZE, THUMBNAIL_SIZE))  # JPEG: decode at a reduced scale, less memory
            img.load()  # decodes the whole image: a broken or truncated one fails here
            thumb = _flatten(ImageOps.exif_transpose(img))
            thumb.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            # No exif= or icc_profile= given: the thumbnail carries no metadata at all.
            thumb.save(out, "JPEG", quality=82, optimize=True)
    except _Refused:
        raise
    except Image.DecompressionBombError:
        raise _Refused(too_big) from None
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError, struct.error…) for bad data
        raise _Refused(broken) from None
    finally:
        upload.seek(0)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return width, height, out.getvalue()


def _check_one(upload) -> CheckedFile:
    name = clean_name(getattr(upload, "name", ""))
    shown = _shown(name)
    program = _("Файл «%(name)s» — программа или сценарий: такие файлы отправлять нельзя.") % {"name": shown}
    parts = name.lower().split(".")
    extension = parts[-1].strip() if len(parts) > 1 else ""
    inner = [p for p in parts[1:-1] if p.isascii() and p.isalnum()]
    if extension in EXECUTABLE_EXTENSIONS or any(p in INNER_EXECUTABLE_EXTENSIONS for p in inner):
        raise _Refused(program)
    size = upload.size or 0
    if size <= 0:
        raise _Refused(_("Файл «%(name)s» пустой.") % {"name": shown})
    head = _read_head(upload)
    if _is_program(head, extension):
        raise _Refused(program)
    if not extension:
        raise _Refused(
            _("У файла «%(name)s» нет расширения. Можно отправить: %(allowed)s.")
            % {"name": shown, "allowed": ALLOWED_HINT}
        )
    if extension not in TYPES:
        raise _Refused(
            _("Файлы «.%(extension)s» отправлять нельзя. Можно отправить: %(allowed)s.")
            % {"extension": _shown(extension), "allowed": ALLOWED_HINT}
        )
    kind, content_type, formats = TYPES[extension]
    if size > max_bytes(kind):
        raise _Refused(
            _("Файл «%(name)s» слишком большой: %(kind)s — не более %(size)s.")
            % {"name": shown, "kind": KIND_LABELS[kind], "size": _size_text(max_bytes(kind))}
        )
    fmt = _detect(upload, head)
    if fmt == "macros":
        raise _Refused(_("Документ «%(name)s» содержит макросы: такие файлы отправлять нельзя.") % {"name": shown})
    if fmt is None and extension in TEXT_EXTENSIONS:
        _check_text(upload, shown)
        fmt = "text"
    if fmt not in formats:
        raise _Refused(_("Содержимое файла «%(name)s» не соответствует его расширению.") % {"name": shown})
    checked = CheckedFile(upload, name, f".{extension}", kind, content_type, size)
    if kind == PHOTO:
        checked.width, checked.height, checked.thumbnail = _check_image(upload, shown, fmt)
    return checked


def attachments_check(*, files) -> list[CheckedFile]:
    """Check every file (count, name, size, content); refuse them all with a Russian message naming each bad one."""
    files = list(files or ())
    limit = settings.CHAT_ATTACHMENTS_PER_MESSAGE
    if len(files) > limit:
        msg = _("В одном сообщении можно отправить не больше %(limit)s файлов.") % {"limit": limit}
        raise RuleViolation(msg, code="too_many_files", fields={"files": [msg]})
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(_check_one(upload))
        except _Refused as refused:
            errors.append(str(refused))
    if errors:
        raise RuleViolation(" ".join(errors), code="file_refused", fields={"files": errors})
    return checked


def _storage():
    return Attachment._meta.get_field("file").storage


def attachments_discard(rows) -> None:
    """Delete the stored files of these attachments (rows that never committed, or that are being removed)."""
    storage = _storage()
    for row in rows:
        for field in (row.file, row.thumbnail):
            if field and field.name:
                storage.delete(field.name)


def attachments_store(*, message: Message, files) -> list[Attachment]:
    """Store the files of a message: all are checked first; if any step fails, no row and no file stays."""
    checked = files if all(isinstance(f, CheckedFile) for f in files) else attachments_check(files=files)
    rows: list[Attachment] = []
    try:
        with transaction.atomic():
            for item in checked:
                row = Attachment(
                    message=message,
                    chat_id=message.chat_id,
                    kind=item.kind,
                    original_name=item.name,
                    extension=item.extension,
                    content_type=item.content_type,
                    size=item.size,
                    width=item.width,
                    height=item.height,
                )
                rows.append(row)  # before the writes: a failure after one of them still finds its file
                item.upload.seek(0)
                row.file.save(f"file{item.extension}", item.upload, save=False)
                if item.thumbnail:
                    row.thumbnail.save("thumb.jpg", ContentFile(item.thumbnail), save=False)
                row.save()
    except BaseException:
        attachments_discard(rows)
        raise
    return rows


def attachments_remove(*, message: Message) -> None:
    """Remove a deleted message's files: the rows now, the files once the deletion commits."""
    rows = list(Attachment.objects.filter(message=message))
    if not rows:
        return
    Attachment.objects.filter(pk__in=[r.pk for r in rows]).delete()
    transaction.on_commit(lambda: attachments_discard(rows))
