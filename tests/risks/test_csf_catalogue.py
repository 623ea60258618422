"""The CSF 2.0 core loaded by migration 0005 matches the vendored NIST catalogue exactly."""

import pytest

from risks import catalogues
from risks.models import CsfCatalogue, CsfCategory, CsfFunction, CsfSubcategory

pytestmark = pytest.mark.django_db


def _json_core():
    data = catalogues.read_csf_core("2.0")
    functions = [f["id"] for f in data["functions"]]
    categories = [c["id"] for f in data["functions"] for c in f["categories"]]
    subs = {
        s["id"]: (c["id"], s) for f in data["functions"] for c in f["categories"] for s in c["subcategories"]
    }
    return functions, categories, subs


def test_migration_loads_exactly_the_catalogue():
    functions, categories, subs = _json_core()
    assert (len(functions), len(categories), len(subs)) == (6, 22, 106)
    catalogue = CsfCatalogue.objects.get(version="2.0")
    assert sorted(CsfFunction.objects.filter(catalogue=catalogue).values_list("code", flat=True)) == sorted(
        functions
    )
    assert sorted(CsfCategory.objects.filter(catalogue=catalogue).values_list("code", flat=True)) == sorted(
        categories
    )
    loaded = {
        s.code: s for s in CsfSubcategory.objects.filter(catalogue=catalogue).select_related("category")
    }
    assert set(loaded) == set(subs)
    for code, (category_code, source) in subs.items():
        assert loaded[code].category.code == category_code
        assert loaded[code].statement == source["statement"]
        assert loaded[code].examples == source["examples"]
    assert sum(len(s.examples) for s in loaded.values()) == 363
    # Subcategories keep the catalogue's order; every category belongs to its function.
    assert [s.code for s in CsfSubcategory.objects.filter(catalogue=catalogue)] == list(subs)
    for category in CsfCategory.objects.select_related("function"):
        assert category.code.split(".")[0] == category.function.code
        assert category.catalogue_id == category.function.catalogue_id == catalogue.pk


def test_loading_again_changes_nothing():
    before = (CsfFunction.objects.count(), CsfCategory.objects.count(), CsfSubcategory.objects.count())
    catalogues.load_csf_core(CsfCatalogue, CsfFunction, CsfCategory, CsfSubcategory)
    after = (CsfFunction.objects.count(), CsfCategory.objects.count(), CsfSubcategory.objects.count())
    assert before == after == (6, 22, 106)


def test_a_later_revision_sits_beside(monkeypatch):
    monkeypatch.setitem(catalogues.CSF_CORE_FILES, "2.1", catalogues.CSF_CORE_FILES["2.0"])
    later = catalogues.load_csf_core(CsfCatalogue, CsfFunction, CsfCategory, CsfSubcategory, version="2.1")
    assert later.version == "2.1" and CsfCatalogue.objects.count() == 2
    assert CsfSubcategory.objects.filter(catalogue=later).count() == 106
    assert CsfCategory.objects.filter(catalogue=later).count() == 22
    assert CsfSubcategory.objects.filter(code="GV.OC-01").count() == 2
    # The later version's subcategories hang from its own categories.
    assert not CsfSubcategory.objects.filter(catalogue=later).exclude(category__catalogue=later).exists()
