"""The worker signs issued documents every few seconds (kotalive.documents.services.documents_sign_due)."""

from kotalive.core.jobs import periodic
from kotalive.documents.services import documents_sign_due

SIGN_EVERY_SECONDS = 2


@periodic("documents.sign", every=SIGN_EVERY_SECONDS)
def documents_sign() -> int:
    return documents_sign_due()
