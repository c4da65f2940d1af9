"""A case document as a download."""

from django.http import FileResponse

from kotalive.cases.models import CaseDocument
from kotalive.core.uploads import upload_response


def document_response(document: CaseDocument) -> FileResponse:
    """The file of a case document as a download named after its requirement (never the uploaded name)."""
    return upload_response(document.upload, document.requirement)
