"""Nothing lost: one organization exported as JSON and imported into an empty
instance round-trips exactly; the import is all-or-nothing."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.demo import DEMO_ORG
from core.models import Membership, Organization
from core.portability import export_organization, exported_models, import_organization


def canonical(data: dict) -> dict:
    """The export with database ids replaced by each row's rank in its model,
    so that two instances holding the same data compare equal."""
    ranks = {
        label: {record["id"]: n for n, record in enumerate(records)}
        for label, records in data["models"].items()
    }
    organization = dict(data["organization"])
    kpi_ranks = ranks.get("kpis.kpi", {})
    # The board pack's headline KPIs name KPIs by id (core.headline).
    organization["headline_kpis"] = sorted(kpi_ranks[k] for k in organization.get("headline_kpis") or [])
    out = {"organization": organization, "users": data["users"], "models": {}}
    for label, records in data["models"].items():
        schema = data["schema"][label]
        rows = []
        for record in records:
            fields = dict(record["fields"])
            for attname, target in schema["fks"].items():
                name = attname[:-3] if attname.endswith("_id") else attname
                if fields.get(name) is not None:
                    fields[name] = ranks[target][fields[name]]
            for ct_field, fk_field in schema["gfks"]:
                if fields.get(ct_field) in ranks and fields.get(fk_field) is not None:
                    fields[fk_field] = ranks[fields[ct_field]][fields[fk_field]]
            for name, kind in schema["m2m"].items():
                values = fields.get(name, [])
                fields[name] = sorted(ranks[kind][v] for v in values) if kind in ranks else sorted(values)
            for attname in schema["orgs"]:
                fields.pop(attname[:-3] if attname.endswith("_id") else attname, None)
            rows.append(fields)
        out["models"][label] = rows
    return out


def reference_labels() -> list[str]:
    """Tables the exported rows point to that are not organization data."""
    from core.models import Organization, User

    included = set(exported_models())
    found, todo = set(), list(included)
    while todo:
        model = todo.pop()
        targets = [f.related_model for f in model._meta.concrete_fields if f.is_relation]
        targets += [f.related_model for f in model._meta.many_to_many]
        for target in targets:
            if target in included or target in found or target in (Organization, User):
                continue
            if target._meta.app_label in ("contenttypes", "auth"):
                continue
            found.add(target)
            todo.append(target)
    return sorted(m._meta.label for m in found)


def _export(slug) -> dict:
    out = io.StringIO()
    call_command("export_org", slug, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_demo_organization_round_trips_exactly(tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    before = _export(DEMO_ORG["slug"])
    assert before["models"], "nothing exported"
    assert len(before["models"]["core.membership"]) == 5
    path = tmp_path / "org.json"
    path.write_text(json.dumps(before))
    # An empty instance still has the reference tables its migrations load (e.g. NIST CSF).
    reference = tmp_path / "reference.json"
    call_command("dumpdata", *reference_labels(), output=str(reference), verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    call_command("loaddata", str(reference), verbosity=0)
    call_command("import_org", str(path), stdout=io.StringIO())
    after = _export(DEMO_ORG["slug"])
    a, b = canonical(before), canonical(after)
    assert a["organization"] == b["organization"] and a["users"] == b["users"]
    for label, rows in a["models"].items():
        assert len(b["models"][label]) == len(rows), label
        for old, new in zip(rows, b["models"][label], strict=True):
            assert old == new, (label, {k: (old.get(k), new.get(k)) for k in old if old.get(k) != new.get(k)})
    # People can sign in with their passwords again.
    from django.contrib.auth import authenticate

    assert authenticate(username="cio@northwind.example", password="concord-demo-2026") is not None


def test_every_model_with_an_organization_is_exported():
    labels = {m._meta.label_lower for m in exported_models()}
    assert "core.membership" in labels and "core.signoff" in labels
    for model in exported_models():
        assert not model._meta.model_name.startswith("historical")


def test_import_refuses_an_existing_organization(org, people):
    data = json.loads(json.dumps(export_organization(org), default=str))
    with pytest.raises(Exception, match="already exists"):
        import_organization(data)


def test_import_is_all_or_nothing(org, people, tmp_path):
    from django.core.serializers.json import DjangoJSONEncoder

    data = json.loads(json.dumps(export_organization(org), cls=DjangoJSONEncoder))
    data["organization"]["slug"] = "acme-copy"
    data["users"] = [u for u in data["users"] if u["email"] != "board@acme.test"]  # a membership now dangles
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_org", str(path), stdout=io.StringIO())
    assert not Organization.objects.filter(slug="acme-copy").exists()
    assert Membership.objects.filter(organization__slug="acme-copy").count() == 0


def test_import_refuses_a_file_of_another_kind(db, tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(CommandError, match="not a Concord organization export"):
        call_command("import_org", str(path))


def test_export_of_unknown_organization_fails(db):
    with pytest.raises(CommandError, match="No organization"):
        call_command("export_org", "nope", stdout=io.StringIO())
