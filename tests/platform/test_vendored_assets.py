"""Production ships only what it uses: vendored front-end files are pinned by
checksum, carry no source maps, and test-only tools (axe-core) stay out of
static/ so collectstatic never publishes them."""

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR_DIRS = [ROOT / "static" / "vendor", ROOT / "tests" / "e2e" / "vendor"]
NOT_PINNED = {"SHA256SUMS", "VERSIONS.txt"}


def _pins(folder: Path) -> dict[str, str]:
    pins = {}
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        pins[name.strip()] = digest
    return pins


@pytest.mark.parametrize("folder", VENDOR_DIRS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_vendored_file_matches_its_pinned_checksum(folder):
    pins = _pins(folder)
    files = {
        str(p.relative_to(folder)): p for p in folder.rglob("*") if p.is_file() and p.name not in NOT_PINNED
    }
    assert set(files) == set(pins), "SHA256SUMS must list exactly the vendored files"
    for name, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == pins[name], f"{name} differs from its pin"


def test_static_holds_no_source_maps_and_no_test_tools():
    static = ROOT / "static"
    assert not list(static.rglob("*.map"))
    assert not [p for p in static.rglob("*") if "axe" in p.name.lower()]
    for path in static.rglob("*"):
        if path.suffix in {".js", ".css"}:
            assert b"sourceMappingURL" not in path.read_bytes(), path
