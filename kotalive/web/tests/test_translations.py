"""The Indonesian catalogue is complete and compiled: every message has a translation that Django will use."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[3] / "locale" / "id" / "LC_MESSAGES"


def _entries() -> list[tuple[str, str, bool]]:
    entries = []
    for block in LOCALE.joinpath("django.po").read_text(encoding="utf-8").split("\n\n"):
        found = re.search(r'msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n")
        if not found:
            continue
        msgid = "".join(re.findall(r'"(.*)"', found.group(1)))
        msgstr = "".join(re.findall(r'"(.*)"', found.group(2)))
        if msgid:
            entries.append((msgid, msgstr, "#, fuzzy" in block))
    return entries


def test_every_message_has_an_indonesian_translation() -> None:
    entries = _entries()

    assert len(entries) > 150
    assert [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy] == []


def test_placeholders_survive_translation() -> None:
    for msgid, msgstr, _fuzzy in _entries():
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgid)) == sorted(re.findall(r"%\(\w+\)[sd]", msgstr)), msgid


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_the_compiled_catalogue_matches_the_source(tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(LOCALE / "django.po")], check=True)  # noqa: S607

    assert compiled.read_bytes() == (LOCALE / "django.mo").read_bytes(), "run `make messages` and commit django.mo"
