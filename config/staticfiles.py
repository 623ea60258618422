"""Static files in production: no source maps.

Third-party packages (DRF, the API docs) ship ``*.map`` files; collectstatic
skips them, and the manifest storage leaves the ``sourceMappingURL`` comments
alone instead of failing on the files that are no longer there."""

from django.contrib.staticfiles.apps import StaticFilesConfig
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ConcordStaticFilesConfig(StaticFilesConfig):
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "*.map"]


def _without_source_maps(patterns):
    def keeps(pattern) -> bool:
        regex = pattern[0] if isinstance(pattern, tuple) else pattern
        return "sourceMappingURL" not in regex

    return tuple((glob, tuple(p for p in rules if keeps(p))) for glob, rules in patterns)


class ManifestWithoutSourceMapsStorage(ManifestStaticFilesStorage):
    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)


class ProductionStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """What production serves: hashed names, compressed copies, no source maps."""

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
