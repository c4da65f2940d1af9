import pytest


@pytest.fixture(autouse=True)
def _notices_in_the_app_only(app_only_notices: None) -> None:
    """The backbone's tests follow the subjects' events: the delivery contract's own (notification.*) would be
    extra rows on every feed and webhook here; they are tested in kotalive/cases/tests/test_notification_delivery.py."""
