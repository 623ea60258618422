"""Discover every URL pattern and every OpenAPI operation, and find real URL
arguments for them from an organization's data (the demo organization).

Used by the CSP test (every page) and the permission matrix (every endpoint).
Nothing here is specific to one app: new pages and endpoints are found as the
apps add them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLResolver, get_resolver, reverse

from core.models import ApiToken, ChatChannel, Membership

INT_CONVERTERS = ("IntConverter",)
STR_GUESSES = {
    "fmt": ["csv", "xlsx"],
    "action": ["submit", "approve", "return", "reopen"],
    "decision": ["approve", "return", "reject"],
    "uidb64": ["MQ"],
    "token": ["set-password"],
    "role": ["cio", "ciso"],
    "code": ["A.8.8", "A.5.1"],  # an Annex A control (statement of applicability)
}


@dataclass
class Endpoint:
    name: str  # "namespace:name"
    route: str
    callback: object
    namespace: str
    kwarg_names: list
    converters: dict

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def all_endpoints() -> list[Endpoint]:
    """Every URL pattern, recursively, with its full namespaced name."""
    found: list[Endpoint] = []

    def walk(resolver, prefix, namespace, groups, converters):
        for entry in resolver.url_patterns:
            entry_groups = [*groups, *entry.pattern.regex.groupindex]
            entry_converters = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), ns, entry_groups, entry_converters)
            else:
                name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
                found.append(
                    Endpoint(
                        name=name,
                        route=prefix + str(entry.pattern),
                        callback=entry.callback,
                        namespace=namespace,
                        kwarg_names=list(dict.fromkeys(entry_groups)),
                        converters=entry_converters,
                    )
                )

    walk(get_resolver(), "", "", [], {})
    return found


# ---------------------------------------------------------------- values ----


def org_models(app_label: str):
    """Models of an app that belong to an organization (core: memberships, tokens, chat channels)."""
    if app_label == "core":
        return [Membership, ApiToken, ChatChannel]
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return []
    return [m for m in config.get_models() if any(f.name == "organization" for f in m._meta.get_fields())]


def _score(model, token: str) -> float:
    name = model._meta.model_name
    if not token:
        return 0
    if token == name:
        return 5
    if token in name:
        return 3 + len(token) / max(len(name), 1)
    if name.startswith(token[0]):
        return 0.5
    return 0


def _tokens_for(endpoint: Endpoint, kwarg: str) -> list[str]:
    """Words that name the model behind a URL argument: the argument's own name
    (``measurement_pk``), the path segment before it (``risks/<pk>``), the URL name."""
    tokens = []
    stem = re.sub(r"_?pk$", "", kwarg)
    if stem and kwarg not in ("pk", "id"):
        tokens.append(stem)
    before = re.search(rf"([a-z-]+)/(?:<(?:\w+:)?{kwarg}>|\(\?P<{kwarg}>)", endpoint.route)
    if before:
        tokens.append(before.group(1).rstrip("s").replace("-", ""))
    url_tokens = endpoint.name.split(":")[-1].split("_")
    tokens.append(url_tokens[1] if kwarg == "item" and len(url_tokens) > 1 else url_tokens[0])
    return tokens


def _objects(model, organization, user, limit=2):
    if model is ApiToken:
        return list(ApiToken.objects.filter(user=user)[:limit])
    return list(model._default_manager.filter(organization=organization).order_by("pk")[:limit])


def kwarg_candidates(endpoint: Endpoint, organization, user, limit: int = 30):
    """Possible kwargs for the endpoint, most likely first (at most ``limit``)."""
    app_label = endpoint.namespace.split(":")[-1] if endpoint.namespace else "core"
    if app_label == "api" or (app_label != "core" and not org_models(app_label)):
        app_label = _api_app(endpoint)  # the app whose module holds the view (e.g. risks/profile/)
    names = list(endpoint.kwarg_names)
    converters = endpoint.converters
    int_names = [
        k
        for k in names
        if k not in ("org", "org_slug")
        and (
            type(converters.get(k)).__name__ in INT_CONVERTERS
            or k.endswith("pk")
            or k in ("pk", "item", "id")
        )
    ]
    fixed = {}
    for k in names:
        if k in ("org", "org_slug"):
            fixed[k] = [organization.slug]
        elif k not in int_names:
            fixed[k] = STR_GUESSES.get(k, ["x"])
    models = org_models(app_label)
    results = []
    if not int_names:
        return [dict(zip(fixed, combo, strict=True)) for combo in itertools.product(*fixed.values())][:limit]
    # The last int argument is the most specific row; the ones before it are its parents.
    last = int_names[-1]
    tokens = _tokens_for(endpoint, last)
    ranked = sorted(models, key=lambda m: -max(_score(m, t) for t in tokens))
    for model in ranked:
        for values in _fill_ints(endpoint, int_names, model, models, organization, user):
            for fixed_combo in itertools.product(*fixed.values()):
                results.append({**dict(zip(fixed, fixed_combo, strict=True)), **values})
                if len(results) >= limit:
                    return results
    return results


def _fill_ints(endpoint, int_names, last_model, models, organization, user):
    """Values for the int kwargs: the row for the last one, its parents through its FKs."""
    for obj in _objects(last_model, organization, user):
        values = {int_names[-1]: obj.pk}
        for k in int_names[:-1]:
            tokens = _tokens_for(endpoint, k)
            fks = [f for f in last_model._meta.concrete_fields if f.is_relation and f.related_model in models]
            fks.sort(key=lambda f: -max(_score(f.related_model, t) for t in tokens))
            if fks:
                values[k] = getattr(obj, fks[0].attname)
            else:
                parent = [m for m in models if m is not last_model]
                parent.sort(key=lambda m: -max(_score(m, t) for t in tokens))
                rows = _objects(parent[0], organization, user, limit=1) if parent else []
                if not rows:
                    break
                values[k] = rows[0].pk
        else:
            if all(v is not None for v in values.values()):
                yield values


def _api_app(endpoint: Endpoint) -> str:
    view = endpoint.view_class
    module = getattr(view, "__module__", "core")
    return module.split(".")[0]


def build_path(endpoint: Endpoint, kwargs: dict) -> str:
    return reverse(endpoint.name, kwargs=kwargs)
