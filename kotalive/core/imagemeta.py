"""Removing metadata (EXIF with its GPS position, XMP, IPTC, comments, text chunks) from JPEG and PNG files.

Photos from phones carry where and when they were taken and the device; a report's photo is shown to officers and
may be published, so the platform keeps only the pixels. This walks the file's own structure (JPEG segments, PNG
chunks) and drops the metadata parts without decoding the image: nothing is re-encoded, the picture is unchanged.
One known cost: a photo's EXIF orientation goes too, so a phone photo taken sideways may show sideways.
"""

import struct

# JPEG segments kept before the image data: JFIF (APP0), ICC colour profile (APP2), Adobe colour transform (APP14),
# and every non-APP segment (tables, frame headers). Dropped: APP1 (EXIF, XMP), other APPn, comments (COM).
_JPEG_KEEP_APP = {0xE0, 0xE2, 0xEE}
# PNG ancillary chunks that carry text, dates or EXIF.
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class NotAnImage(ValueError):
    """The file's structure is not a well-formed JPEG or PNG."""


def strip_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise NotAnImage("no JPEG start marker")
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            raise NotAnImage("segment marker expected")
        marker = data[pos + 1] if pos + 1 < len(data) else -1
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD9,) or 0xD0 <= marker <= 0xD7 or marker == 0x01:  # EOI, RSTn, TEM: no length
            out += data[pos : pos + 2]
            pos += 2
            continue
        if pos + 4 > len(data):
            raise NotAnImage("truncated segment")
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise NotAnImage("segment length out of range")
        if marker == 0xDA:  # start of scan: the compressed image and everything after it stay as they are
            out += data[pos:]
            return bytes(out)
        is_app = 0xE0 <= marker <= 0xEF
        if (is_app and marker in _JPEG_KEEP_APP) or (not is_app and marker != 0xFE):
            out += data[pos:end]
        pos = end
    raise NotAnImage("no image data")


def strip_png(data: bytes) -> bytes:
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
