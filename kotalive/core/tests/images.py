"""Real image files for the upload tests, built from their bytes: PNG with zlib, JPEG with Pillow (a dev dependency,
the encoder phones' files resemble) and then edited where an attack edits them."""

import io
import struct
import zlib

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What a phone appends after a motion photo's JPEG: the MP4 video (Google's MicroVideo), then Samsung's trailer.
MOTION_PAYLOAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\x11" * 4000 + b"MotionPhoto_Data" + b"SEFT"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int) -> bytes:
    """The signature and IHDR of an 8-bit greyscale PNG of `width` x `height`."""
    return PNG_SIGNATURE + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))


def png(width: int = 8, height: int = 4, *, extra: bytes = b"") -> bytes:
    """A real greyscale PNG (a gradient), with `extra` chunks between its header and its pixels."""
    rows = b"".join(b"\x00" + bytes((x * 16 + y) % 256 for x in range(width)) for y in range(height))
    return png_header(width, height) + extra + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b"")


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A valid PNG whose IDAT really inflates to every row of a `width` x `height` black image: 2.5 GB from 2.4 MB
    at the default size. The zlib stream is built from one flushed megabyte of zeros repeated (a full flush makes
    each copy independent of what came before) and the Adler-32 of n zero bytes, ((n mod 65521) << 16) | 1."""
    total = (width + 1) * height  # each row: filter type 0, then one zero byte per pixel
    unit = 1 << 20
    blocks = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = blocks.compress(bytes(unit)) + blocks.flush(zlib.Z_FULL_FLUSH)
    rest = zlib.compressobj(9, zlib.DEFLATED, -15)
    remainder = rest.compress(bytes(total % unit)) + rest.flush(zlib.Z_FULL_FLUSH)
    final_empty_block = b"\x03\x00"
    stream = b"\x78\xda" + repeated * (total // unit) + remainder + final_empty_block
    stream += struct.pack(">I", ((total % 65521) << 16) | 1)
    return png_header(width, height) + png_chunk(b"IDAT", stream) + png_chunk(b"IEND", b"")


def jpeg(width: int = 64, height: int = 48, *, exif: bool = False, **options: object) -> bytes:
    """A real JPEG photo (a gradient) from Pillow's encoder; with `exif`, a camera model and a GPS position."""
    across = Image.linear_gradient("L").rotate(90).resize((width, height))
    down = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (across, down, Image.new("L", (width, height), 128)))
    buffer = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x0110] = "KotaPhone 9"  # Model
        tags[0x8825] = {1: "S", 2: (6.17, 0.0, 0.0), 3: "E", 4: (106.63, 0.0, 0.0)}  # GPSInfo
        options["exif"] = tags.tobytes()
    image.save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header (SOF0) is edited to declare `width` x `height`, as a bomb does."""
    data = bytearray(jpeg(16, 16))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def motion_photo() -> bytes:
    """A phone's motion photo: a JPEG with EXIF, a second JPEG (MPF's embedded image), then the video."""
    return jpeg(exif=True) + jpeg(8, 8) + MOTION_PAYLOAD
