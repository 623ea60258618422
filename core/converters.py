"""The one URL converter for an organization's short name (slug).

Every page URL of an organization is ``/o/<org:org>/...`` and every API URL
``/api/v1/orgs/<org:org_slug>/...``: one pattern, the same one the model
validates slugs with (``core.models.Organization.slug``). Importing this module
registers the converter; each ``urls.py`` that uses ``<org:...>`` imports it.
"""

from django.urls import register_converter

ORG_SLUG_PATTERN = "[a-z0-9][a-z0-9-]*"


class OrgSlugConverter:
    regex = ORG_SLUG_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(OrgSlugConverter, "org")
