"""Reading the declared size of JPEG and PNG files, and removing their metadata (EXIF with its GPS position, XMP,
IPTC, comments, text chunks) and whatever trails the image.

Photos from phones carry where and when they were taken and the device; a report's photo is shown to officers and
may be published, so the platform keeps only the pixels. This walks the file's own structure (JPEG segments, PNG
chunks) and drops the metadata parts without decoding the image: nothing is re-encoded, the picture is unchanged.
Bytes after the image's end (JPEG EOI, PNG IEND) go too: phones append a motion photo's video there (Google's
MicroVideo, Samsung's SEFT trailer), MPF files a second JPEG, and anyone can append anything.
One known cost: a photo's EXIF orientation goes too, so a phone photo taken sideways may show sideways.
"""

import struct
from collections.abc import Iterator

# JPEG application segments kept, by marker and the identifier they start with: JFIF (APP0), the ICC colour profile
# (APP2) and Adobe's colour transform (APP14, needed to show CMYK files right). Every other APPn goes: EXIF and XMP
# (APP1), JFXX thumbnails (APP0), MPF's index of the images that followed the primary one (APP2), IPTC (APP13).
# Comments (COM) go too; every non-APP segment (tables, frame headers, scans) stays.
_JPEG_KEEP_APP = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
# Frame headers: SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC), and DHP (DE), the size of a hierarchical image.
_JPEG_FRAME = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC} | {0xDE}
# PNG ancillary chunks that carry text, dates or EXIF, and APNG's animation (acTL, fcTL, fdAT): a photo is one
# still image, and each frame of an animation is another image of up to the declared size for whoever shows it.
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME", b"acTL", b"fcTL", b"fdAT"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class NotAnImage(ValueError):
    """The file's structure is not a well-formed JPEG or PNG."""


def _jpeg_scan_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data that starts at `pos` ends: at the first marker that is not a stuffed 0xFF
    (FF 00) nor a restart marker (RSTn)."""
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            raise NotAnImage("scan data without an end")
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos = found + 2
        elif following == 0xFF:  # a fill byte before a marker
            pos = found + 1
        else:
            return found


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(marker, start, end) of each part of the primary image, SOI to its EOI; a scan (SOS) runs to the end of its
    entropy-coded data. Fill bytes before a marker are not part of it. Nothing after the EOI is visited."""
    if not data.startswith(b"\xff\xd8"):
        raise NotAnImage("no JPEG start marker")
    yield 0xD8, 0, 2
    pos, size = 2, len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise NotAnImage("segment marker expected")
        while pos < size and data[pos] == 0xFF:
            pos += 1
        if pos >= size:
            break
        start, marker = pos - 1, data[pos]
        pos += 1
        if marker == 0xD9:  # EOI: the primary image ends here
            yield marker, start, pos
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # RSTn, TEM: no length
            yield marker, start, pos
            continue
        if marker in (0x00, 0xD8):
            raise NotAnImage("marker out of place")
        if pos + 2 > size:
            raise NotAnImage("truncated segment")
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        end = pos + length
        if length < 2 or end > size:
            raise NotAnImage("segment length out of range")
        if marker == 0xDA:
            end = _jpeg_scan_end(data, end)
        yield marker, start, end
        pos = end
    raise NotAnImage("no end marker")


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) that the JPEG's frame headers declare (the largest of each when there are several), from the
    headers alone; NotAnImage when no frame header comes before the first scan."""
    width = height = 0
    framed = False
    for marker, start, end in _jpeg_segments(data):
        if marker in _JPEG_FRAME:
            if end - start < 10:  # FF, marker, length, precision, height, width, components
                raise NotAnImage("truncated frame header")
            frame_height, frame_width = struct.unpack(">HH", data[start + 5 : start + 9])
            width, height, framed = max(width, frame_width), max(height, frame_height), True
        elif marker == 0xDA and not framed:
            raise NotAnImage("scan before the frame header")
    if not framed:
        raise NotAnImage("no frame header")
    return width, height


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the PNG's header chunk (IHDR), which must come first."""
    if not data.startswith(_PNG_SIGNATURE):
        raise NotAnImage("no PNG signature")
    if len(data) < 33 or data[8:16] != b"\x00\x00\x00\x0dIHDR":
        raise NotAnImage("no header chunk")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def image_size(kind: str, data: bytes) -> tuple[int, int]:
    """(width, height) in pixels that a "jpeg" or "png" file declares, read from its headers without decoding it."""
    if kind == "jpeg":
        return jpeg_size(data)
    if kind == "png":
        return png_size(data)
    raise ValueError(f"not an image kind: {kind}")


def strip_jpeg(data: bytes) -> bytes:
    """The primary image of a JPEG without its metadata segments and without anything after its EOI."""
    out = bytearray()
    for marker, start, end in _jpeg_segments(data):
        if 0xE0 <= marker <= 0xEF:
            identifier = _JPEG_KEEP_APP.get(marker)
            if identifier is None or not data.startswith(identifier, start + 4, end):
                continue
        elif marker == 0xFE:  # COM
            continue
        out += data[start:end]
    return bytes(out)


def strip_png(data: bytes) -> bytes:
    """A PNG without its text, time, EXIF and animation chunks and without anything after its IEND."""
    if not data.startswith(_PNG_SIGNATURE):
        raise NotAnImage("no PNG signature")
    out = bytearray(_PNG_SIGNATURE)
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise NotAnImage("truncated chunk")
        if kind not in _PNG_DROP:
            out += data[pos:end]
        pos = end
        if kind == b"IEND":
            return bytes(out)
    raise NotAnImage("no end chunk")


def strip_metadata(kind: str, data: bytes) -> bytes:
    """`data` without its metadata; `kind` is "jpeg" or "png" (other kinds are returned unchanged)."""
    if kind == "jpeg":
        return strip_jpeg(data)
    if kind == "png":
        return strip_png(data)
    return data
