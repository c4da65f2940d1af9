"""A document's file, in three revisions of one PDF (each an incremental update of the one before):
1. the document rendered from its template by WeasyPrint: its SHA-256 is the `h` claim of the seal;
2. the QR code (segno's module matrix drawn as page content, so every viewer and printer shows it);
3. the PAdES signature over everything (kotalive.documents.signing).

No network: the templates load nothing, and the URL fetcher refuses anything but inline data.
"""

import io
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from weasyprint import HTML

MM = 72 / 25.4  # PDF points per millimetre
# Where the QR goes on page 1, in millimetres from the page's bottom-left corner (the templates leave the box
# free: templates/documents/pdf/base.html, .qr-box).
QR_LEFT_MM, QR_BOTTOM_MM, QR_SIZE_MM = 20, 20, 42


def _no_network(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    raise ValueError(f"documents load nothing from outside: {url[:40]}")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Revision 1: the document in Indonesian (the language of the official document, whoever triggers it)."""
    with translation.override("id"):
        html = render_to_string(f"documents/pdf/{template}.html", context)
    return HTML(string=html, url_fetcher=_no_network).write_pdf()  # type: ignore[no-any-return]


def _qr_stream(text: str, size: float) -> bytes:
    """PDF drawing operators for the QR of `text`: one filled rectangle per dark module, quiet zone included."""
    qr = segno.make(text, error="m", micro=False)
    modules = qr.symbol_size(border=4)[0]
    unit = size / modules
    ops = [b"q 1 g 0 0 %.3f %.3f re f 0 g" % (size, size)]  # a white ground under the code
    for y, modules_row in enumerate(qr.matrix_iter(border=4)):
        row = list(modules_row)
        x = 0
        while x < modules:  # one rectangle per run of dark modules in the row
            if row[x]:
                start = x
                while x < modules and row[x]:
                    x += 1
                ops.append(b"%.3f %.3f %.3f %.3f re" % (start * unit, size - (y + 1) * unit, (x - start) * unit, unit))
            else:
                x += 1
    ops.append(b"f Q")
    return b"\n".join(ops)


def stamp_qr(pdf: bytes, text: str) -> bytes:
    """Revision 2: `pdf` with the QR of `text` drawn on page 1 in the box its template left free."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    # The page's own content may leave its coordinate system changed (WeasyPrint's puts the origin at the top):
    # save the state before it and restore it before drawing, so the QR lands in PDF units from the bottom left.
    before = generic.StreamObject(stream_data=b"q")
    placed = b"Q q 1 0 0 1 %.3f %.3f cm\n" % (QR_LEFT_MM * MM, QR_BOTTOM_MM * MM) + _qr_stream(text, QR_SIZE_MM * MM)
    stream = generic.StreamObject(stream_data=placed)
    stream.compress()
    writer.add_stream_to_page(0, writer.add_object(before), prepend=True)
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
