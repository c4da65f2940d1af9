import logging

import pytest
from django.test import override_settings

from kotalive.core import crypto
from kotalive.core.logging import MaskNikFilter
from kotalive.core.masking import mask_nik


def test_a_nik_shows_its_first_and_last_four_digits_only() -> None:
    assert mask_nik("3671051204859001") == "3671********9001"


def test_log_lines_never_carry_a_whole_nik() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "lookup of %s by %s", ("3671051204859001", "budi"), None)

    MaskNikFilter().filter(record)

    assert record.getMessage() == "lookup of 3671********9001 by budi"


def test_encryption_round_trips_and_hides_the_value() -> None:
    token = crypto.encrypt("3671051204859001")

    assert "3671051204859001" not in token
    assert crypto.decrypt(token) == "3671051204859001"
    assert crypto.encrypt("3671051204859001") != token  # a fresh nonce each time


def test_the_blind_index_is_stable_and_depends_on_the_key() -> None:
    first = crypto.blind_index("3671051204859001")
    assert crypto.blind_index("3671051204859001") == first
    try:
        with override_settings(FIELD_ENCRYPTION_KEY="another-key"):
            crypto.reset_key_cache()
            assert crypto.blind_index("3671051204859001") != first
    finally:
        crypto.reset_key_cache()


def test_a_token_from_an_unknown_key_version_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown field-key version"):
        crypto.decrypt("v0:AAAA")
