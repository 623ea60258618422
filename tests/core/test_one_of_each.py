"""One copy of each cross-cutting piece, in core (docs/ARCHITECTURE.md): these
checks read the source so that per-app copies do not come back."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("risks", "kpis", "budgets", "governance")

# Refusals handled outside core.actions, each for a reason: a service or a
# validator turning a refusal into a row error, and the import flows' file
# reading (core.tabular's FileRefused on the upload form). Counts may only fall.
EXCEPT_DOMAIN_ERROR_ALLOWED = {
    "kpis/services.py": 1,
    "kpis/validation.py": 2,
    "risks/services.py": 1,
    "kpis/views.py": 1,
    "risks/views_io.py": 1,
    # Imports gather every row's problem before refusing the file as a whole.
    "risks/evidence/services.py": 1,
    "risks/profile/services.py": 1,
    "risks/soa/importing.py": 1,
    "risks/soa/services.py": 1,
    # A stored file that cannot be opened is "not found", on the page and in the API.
    "risks/evidence/views.py": 1,
    "risks/evidence/api/views.py": 1,
    # A report still builds when computed KPIs cannot be refreshed (their last values stand).
    "governance/alignment/services.py": 1,
}


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_pages_of_the_apps_do_not_catch_domain_errors_themselves():
    """POST actions subclass core.actions.ActionView / ServiceFormMixin, which turn a
    DomainError into a message or a form error once for all."""
    pattern = re.compile(r"except\s*\(?[^:\n]*\bDomainError\b")
    found = {name: len(pattern.findall(text)) for name, text in _app_modules()}
    found = {name: count for name, count in found.items() if count}
    too_many = {
        name: count for name, count in found.items() if count > EXCEPT_DOMAIN_ERROR_ALLOWED.get(name, 0)
    }
    assert not too_many, f"use core.actions instead of catching DomainError in {too_many}"
    assert sum(found.values()) <= sum(EXCEPT_DOMAIN_ERROR_ALLOWED.values())


def test_every_url_names_the_organization_with_the_one_converter():
    urls = [p for top in ("config", "core", *APPS) for p in (ROOT / top).rglob("*urls*.py")]
    assert len(urls) >= 12
    offenders = []
    for path in urls:
        text = path.read_text(encoding="utf-8")
        if "<slug:org" in text or "(?P<org_slug>" in text or "(?P<org>" in text:
            offenders.append(path.relative_to(ROOT).as_posix())
    assert not offenders, f"use <org:org> / <org:org_slug> (core.converters) in {offenders}"


def test_the_error_responses_and_domain_choices_are_defined_once():
    errors = re.compile(r"^ERRORS\s*=\s*\{", re.M)
    domain = re.compile(r"class \w+\(models\.TextChoices\):\n[^\n]*\n?[^\n]*IT = \"it\"")
    for name, text in _app_modules():
        assert not errors.search(text), f"{name}: use core.api.errors.ERROR_RESPONSES"
        assert not domain.search(text), f"{name}: use core.choices.Domain"


def test_the_domain_choices_keep_their_stored_values():
    from budgets.models import BudgetItem
    from core.choices import Domain
    from kpis.models import KPI
    from risks.models import Origin, Risk

    assert Domain.values == ["it", "security", "joint"] and Origin is Domain
    for model, field in ((Risk, "origin"), (KPI, "domain"), (BudgetItem, "domain")):
        assert list(model._meta.get_field(field).choices) == list(Domain.choices)
