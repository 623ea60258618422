"""Templates have one layout: pages as ``templates/<app>/<model>_<view>.html``
(governance's as ``templates/governance/<raci|intake|alignment>/``), pieces
included by other templates in a ``partials/`` folder beside them."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "templates"


def test_partials_live_in_partials_folders_and_are_not_named_with_an_underscore():
    assert not [str(p.relative_to(ROOT)) for p in ROOT.rglob("_*.html")]


def test_governance_templates_follow_its_three_domains():
    folders = {p.name for p in (ROOT / "governance").iterdir() if p.is_dir()}
    assert folders == {"raci", "intake", "alignment"}
