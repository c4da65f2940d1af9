"""Accepting uploaded files by their content, never by their name or declared type."""

import hashlib
import io
import uuid
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from kotalive.core.errors import ValidationFailed
from kotalive.core.imagemeta import NotAnImage, image_size, strip_metadata
from kotalive.core.models import Upload
from kotalive.core.ratelimit import citizen_take

MAGIC = ((b"%PDF-", Upload.PDF), (b"\xff\xd8\xff", Upload.JPEG), (b"\x89PNG\r\n\x1a\n", Upload.PNG))


CONTENT_TYPES = {Upload.PDF: "application/pdf", Upload.JPEG: "image/jpeg", Upload.PNG: "image/png"}

# No side of an image may be longer than this, whatever its pixel count: JPEG's own ceiling (its header has 16 bits
# for each side), longer than a 200 MP sensor's 16,320 pixels or a phone panorama; a 1 x 40,000,000 PNG is an attack.
MAX_IMAGE_SIDE = 65_535


def upload_response(upload: Upload, name: str) -> FileResponse:
    """An upload as a download called `name` (plus its kind), never by the name it was uploaded with."""
    response = FileResponse(upload.file.open("rb"), content_type=CONTENT_TYPES[upload.kind])
    response["Content-Disposition"] = f'attachment; filename="{name}.{upload.kind}"'
    return response


def sniff_kind(head: bytes) -> str | None:
    """pdf, jpeg or png from the first bytes of a file; None for anything else."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def upload_check(*, stream: IO[bytes], size: int) -> str:
    """The kind of file upload_create would store (pdf, jpeg or png), or its refusal naming `file`, storing nothing:
    a form checks every file with its other answers and stores none until all of them are right."""
    kind, _content, _size = _checked_content(stream, size)
    stream.seek(0)
    return kind


def upload_create(*, actor: Any, stream: IO[bytes], name: str, size: int) -> Upload:
    """Store an uploaded file after checking its size and its content (PDF, JPEG or PNG only)."""
    citizen_take(actor, "uploads", "KOTALIVE_RATE_UPLOADS")
    kind, content, size = _checked_content(stream, size)
    digest = hashlib.sha256()
    for chunk in iter(lambda: content.read(65536), b""):
        digest.update(chunk)
    content.seek(0)
    with transaction.atomic():
        upload = Upload(owner=actor, kind=kind, size=size, sha256=digest.hexdigest(), original_name=name[:200])
        upload.file.save("upload", File(content), save=False)
        upload.save()
    return upload


def _checked_content(stream: IO[bytes], size: int) -> tuple[str, IO[bytes], int]:
    """The file's kind, the content to store and its size; a refusal naming `file` for anything else."""
    limit = settings.KOTALIVE_UPLOAD_MAX_BYTES
    if size <= 0:
        raise ValidationFailed({"file": [_("is empty")]})
    if size > limit:
        raise ValidationFailed({"file": [_("is larger than %(mb)d MB") % {"mb": limit // (1024 * 1024)}]})
    head = stream.read(16)
    kind = sniff_kind(head)
    if kind is None:
        raise ValidationFailed({"file": [_("is not a PDF, JPEG or PNG file (checked by its content)")]})
    stream.seek(0)
    if kind in (Upload.JPEG, Upload.PNG):
        # An image's size is checked from its headers before anything decodes it; then it loses its metadata (EXIF
        # GPS position, device, XMP, text) and whatever follows its end (a motion photo's video) before it is stored.
        data = stream.read(limit + 1)
        if len(data) > limit:  # the caller's `size` said less
            raise ValidationFailed({"file": [_("is larger than %(mb)d MB") % {"mb": limit // (1024 * 1024)}]})
        try:
            _image_size_check(kind, data)
            stripped = strip_metadata(kind, data)
        except NotAnImage:
            raise ValidationFailed(
                {"file": [_("is not a well-formed %(kind)s image") % {"kind": kind.upper()}]}
            ) from None
        return kind, io.BytesIO(stripped), len(stripped)
    return kind, stream, size


def _image_size_check(kind: str, data: bytes) -> None:
    """Refuse an image that declares no pixels, a side longer than MAX_IMAGE_SIDE or more pixels than
    KOTALIVE_UPLOAD_MAX_PIXELS. A 2 MB PNG can declare 50,000 x 50,000 pixels, and whoever shows the file (the
    officer's browser, the citizen's phone) allocates all of them (10 GB) when it decodes it."""
    width, height = image_size(kind, data)
    sizes = {"width": width, "height": height}
    limit = settings.KOTALIVE_UPLOAD_MAX_PIXELS
    if width == 0 or height == 0:
        reason = _("is not a usable image: its header declares %(width)d × %(height)d pixels") % sizes
    elif max(width, height) > MAX_IMAGE_SIDE:
        reason = _(
            "is too large an image: %(width)d × %(height)d pixels; no side may be longer than %(side)d pixels"
        ) % {**sizes, "side": MAX_IMAGE_SIDE}
    elif width * height > limit:
        reason = _("is too large an image: %(width)d × %(height)d pixels; the limit is %(megapixels)s megapixels") % {
            **sizes,
            "megapixels": f"{limit / 1_000_000:g}",
        }
    else:
        return
    raise ValidationFailed({"file": [reason]})


def uploads_owned(*, actor: Any, upload_ids: Any, field: str, limit: int = 5) -> list[Upload]:
    """The uploads `upload_ids` names, in that order, each one `actor` made; a refusal naming `field` otherwise
    (the same answer for someone else's upload and for none, so ids of other people's files stay unknown)."""
    if not isinstance(upload_ids, list):
        raise ValidationFailed({field: [_("must be a list of upload ids")]})
    if len(upload_ids) > limit:
        raise ValidationFailed({field: [_("at most %(n)d files") % {"n": limit}]})
    wanted = []
    for value in upload_ids:
        try:
            wanted.append(uuid.UUID(str(value)))
        except ValueError:
            raise ValidationFailed({field: [_("names no upload of yours")]}) from None
    found = {u.pk: u for u in Upload.objects.filter(pk__in=wanted, owner=actor)}
    if any(pk not in found for pk in wanted):
        raise ValidationFailed({field: [_("names no upload of yours")]})
    return [found[pk] for pk in dict.fromkeys(wanted)]
