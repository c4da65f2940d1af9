"""Where the deployment's regional data lives: a region data pack, a directory outside the source tree named by
`settings.KOTALIVE_REGION_PACK` (Kota Tangerang's ships at `packs/kota-tangerang/`). Its manifest `pack.json` names
the region, the platform and the files: the regions CSV, the boundaries GeoJSON, agencies, services, complaint
categories, life-event bundles and cooperation agreements (docs/how-to/deploy-another-region.md).

The loader (`kotalive load-region-pack`, kotalive.demo.region_pack) reads every file; the readers that need a file
while the platform runs (the maps' boundaries, the complaints' bounds and Open311 jurisdiction) find it here."""

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

MANIFEST = "pack.json"
# The kinds of file a pack holds; a pack without an optional one has none of that data (no map, no bundles, ...).
REQUIRED_FILES = ("regions", "agencies", "services", "complaints")
OPTIONAL_FILES = ("boundaries", "bundles", "agreements")
FILE_KINDS = REQUIRED_FILES + OPTIONAL_FILES


@dataclass(frozen=True)
class RegionPack:
    directory: Path
    region: str
    name: str
    platform_name: str
    files: dict[str, str]  # kind -> file name inside the directory
    notices: tuple[str, ...]  # licence notices and read-me files kept beside the data

    def path(self, kind: str) -> Path | None:
        """The pack's file of this kind, or None when the pack has none."""
        name = self.files.get(kind)
        return self.directory / name if name else None


def region_pack_from_manifest(directory: Path, manifest: dict[str, Any]) -> RegionPack:
    """A pack from its parsed manifest (checked by the loader; here only read)."""
    files = manifest.get("files")
    notices = manifest.get("notices")
    files = files if isinstance(files, dict) else {}
    notices = notices if isinstance(notices, list) else []
    return RegionPack(
        directory=directory,
        region=str(manifest.get("region", "")),
        name=str(manifest.get("name", "")),
        platform_name=str(manifest.get("platform_name", "")),
        files={str(kind): str(name) for kind, name in files.items() if isinstance(name, str) and name},
        notices=tuple(str(n) for n in notices),
    )


@functools.cache
def _read(directory: str) -> RegionPack:
    path = Path(directory).resolve()
    return region_pack_from_manifest(path, json.loads((path / MANIFEST).read_text(encoding="utf-8")))


def region_pack() -> RegionPack:
    """The configured pack (`KOTALIVE_REGION_PACK`), its manifest read once per process."""
    return _read(str(settings.KOTALIVE_REGION_PACK))


def region_pack_file(kind: str, region_code: str | None = None) -> Path | None:
    """Where the configured pack keeps its file of `kind`; None when the pack has none or serves another region
    than `region_code`."""
    pack = region_pack()
    if region_code is not None and region_code != pack.region:
        return None
    return pack.path(kind)
