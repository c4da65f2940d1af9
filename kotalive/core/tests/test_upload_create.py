"""upload_create with real image files: an image's declared size is checked from its headers before anything
decodes it, and what is stored is the image alone, without its metadata and without what trails it."""

import io
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from PIL import Image

from kotalive.accounts.models import User
from kotalive.core.errors import ValidationFailed
from kotalive.core.imagemeta import image_size
from kotalive.core.models import Upload
from kotalive.core.tests.images import (
    jpeg,
    jpeg_declaring,
    motion_photo,
    png,
    png_bomb,
    png_chunk,
    png_header,
)
from kotalive.core.uploads import upload_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The reasons are compared as the English source text (the UI speaks Indonesian by default)."""
    with translation.override("en"):
        yield


def _create(user: User, data: bytes, name: str = "foto.jpg") -> Upload:
    return upload_create(actor=user, stream=io.BytesIO(data), name=name, size=len(data))


def _refusal(user: User, data: bytes) -> str:
    with pytest.raises(ValidationFailed) as refused:
        _create(user, data)
    assert list(refused.value.errors) == ["file"]
    return str(refused.value.errors["file"][0])


def _stored(upload: Upload) -> bytes:
    with upload.file.open("rb") as stored:
        return bytes(stored.read())


def _files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_decompression_bomb_png_is_refused_before_anything_decodes_it(warga1: User, media_root: Path) -> None:
    bomb = png_bomb()
    inflating = zlib.decompressobj()
    assert len(inflating.decompress(bomb[41:], 1 << 20)) == 1 << 20  # its IDAT really inflates (to 2.5 GB)

    reason = _refusal(warga1, bomb)

    assert len(bomb) < 3 * 1024 * 1024
    assert reason == "is too large an image: 50000 × 50000 pixels; the limit is 50 megapixels"
    assert not Upload.objects.exists()
    assert _files_under(media_root) == []


def test_a_jpeg_whose_frame_header_declares_a_huge_image_is_refused(warga1: User) -> None:
    huge = jpeg_declaring(60_000, 60_000)
    assert image_size("jpeg", huge) == (60_000, 60_000)

    reason = _refusal(warga1, huge)

    assert reason == "is too large an image: 60000 × 60000 pixels; the limit is 50 megapixels"
    assert not Upload.objects.exists()


def test_the_pixel_limit_is_the_setting_and_an_image_at_it_is_accepted(warga1: User, settings: Any) -> None:
    settings.KOTALIVE_UPLOAD_MAX_PIXELS = 2_500

    at_the_limit = _create(warga1, png(50, 50), "a.png")
    reason = _refusal(warga1, png(50, 51))

    assert at_the_limit.kind == Upload.PNG
    assert reason == "is too large an image: 50 × 51 pixels; the limit is 0.0025 megapixels"
    assert Upload.objects.count() == 1


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (png_header(0, 10) + png_chunk(b"IEND", b""), "is not a usable image: its header declares 0 × 10 pixels"),
        (jpeg_declaring(64, 0), "is not a usable image: its header declares 64 × 0 pixels"),
        (
            png_header(1, 50_000_000) + png_chunk(b"IEND", b""),
            "is too large an image: 1 × 50000000 pixels; no side may be longer than 65535 pixels",
        ),
    ],
    ids=["png-zero-width", "jpeg-zero-height", "png-one-pixel-wide-and-fifty-million-high"],
)
def test_an_image_with_zero_or_absurd_dimensions_is_refused(warga1: User, image: bytes, reason: str) -> None:
    assert _refusal(warga1, image) == reason
    assert not Upload.objects.exists()


def test_an_image_without_a_size_in_its_headers_is_refused_as_not_well_formed(warga1: User) -> None:
    photo = jpeg()
    without_frame_header = photo[: photo.index(b"\xff\xc0")] + photo[photo.index(b"\xff\xc4") :]
    png_without_ihdr = png()[:8] + png()[33:]

    assert _refusal(warga1, without_frame_header) == "is not a well-formed JPEG image"
    assert _refusal(warga1, png_without_ihdr) == "is not a well-formed PNG image"
    assert _refusal(warga1, photo[: len(photo) // 2]) == "is not a well-formed JPEG image"  # cut off: no EOI


def test_a_motion_photo_is_stored_as_its_primary_image_alone(warga1: User) -> None:
    photo = motion_photo()
    primary = Image.open(io.BytesIO(photo))
    primary.load()

    upload = _create(warga1, photo)

    stored = _stored(upload)
    assert stored.endswith(b"\xff\xd9")
    assert stored.count(b"\xff\xd8") == 1  # the embedded second JPEG went with the video
    assert b"ftypmp42" not in stored
    assert b"MotionPhoto_Data" not in stored
    assert b"KotaPhone" not in stored
    assert upload.size == len(stored)
    image = Image.open(io.BytesIO(stored))
    assert dict(image.getexif()) == {}
    assert image.tobytes() == primary.tobytes()  # the pixels unchanged


def test_a_jpeg_s_metadata_segments_go_and_its_colour_segments_stay(warga1: User) -> None:
    srgb = _srgb_profile()
    photo = jpeg(exif=True, comment=b"dipotret di Jl. Kisamaun 12", icc_profile=srgb, progressive=True)
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>GPSLatitude</x:xmpmeta>"
    with_xmp = photo[:2] + b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp + photo[2:]

    stored = _stored(_create(warga1, with_xmp))

    assert b"Kisamaun" not in stored
    assert b"xmpmeta" not in stored
    assert b"KotaPhone" not in stored
    assert b"JFIF\x00" in stored
    assert Image.open(io.BytesIO(stored)).info.get("icc_profile") == srgb
    assert Image.open(io.BytesIO(stored)).tobytes() == Image.open(io.BytesIO(photo)).tobytes()


def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def test_a_png_loses_what_follows_its_end_and_its_text_chunks(warga1: User) -> None:
    text = png_chunk(b"tEXt", b"Location\x00-6.17,106.63") + png_chunk(b"eXIf", b"MM\x00*\x00\x00\x00\x08\x00\x00")
    clean = png(8, 4)
    appended = b"PK\x03\x04" + b"rahasia.txt" + b"\x00" * 64

    stored = _stored(_create(warga1, png(8, 4, extra=text) + appended, "peta.png"))

    assert stored == clean
    assert Image.open(io.BytesIO(stored)).tobytes() == Image.open(io.BytesIO(clean)).tobytes()


def test_an_animated_png_is_stored_as_its_still_image(warga1: User) -> None:
    still = png(8, 4)
    control = png_chunk(b"acTL", (2).to_bytes(4, "big") + (0).to_bytes(4, "big"))
    frame = png_chunk(b"fcTL", bytes(26))
    animated = still[:33] + control + frame + still[33:-12] + png_chunk(b"fdAT", bytes(12)) + still[-12:]

    stored = _stored(_create(warga1, animated, "anim.png"))

    assert stored == still


@pytest.mark.parametrize(
    ("build", "size"),
    [
        (lambda: jpeg(4000, 3000, quality=70), (4000, 3000)),  # a 12 MP phone photo
        (lambda: jpeg(640, 480, progressive=True, exif=True), (640, 480)),
        (lambda: jpeg(320, 240, restart_marker_blocks=4), (320, 240)),
        (lambda: png(300, 200), (300, 200)),
    ],
    ids=["12-megapixel-jpeg", "progressive-jpeg-with-exif", "jpeg-with-restart-markers", "png"],
)
def test_normal_photos_are_accepted_with_their_pixels_unchanged(
    warga1: User, build: Callable[[], bytes], size: tuple[int, int]
) -> None:
    photo = build()

    upload = _create(warga1, photo)

    stored = Image.open(io.BytesIO(_stored(upload)))
    original = Image.open(io.BytesIO(photo))
    assert stored.size == size
    assert stored.tobytes() == original.tobytes()
