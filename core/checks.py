"""Start-up checks: an unwritable var/ (broker folder, beat schedule, uploads)
is named clearly at start instead of failing later or at settings import."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core import checks

logger = logging.getLogger("concord.startup")


def var_dir_problems() -> list[str]:
    """What is wrong with var/ (and the folders under it Concord writes to)."""
    problems = list(getattr(settings, "VAR_DIR_PROBLEMS", []))
    for folder in {Path(settings.VAR_DIR), Path(settings.MEDIA_ROOT).parent}:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            problems.append(f"{folder}: {exc.strerror or exc}")
    return sorted(set(problems))


@checks.register(checks.Tags.compatibility, deploy=False)
def check_var_dir(app_configs=None, **kwargs):
    return [
        checks.Error(
            f"Concord cannot write to {problem}.",
            hint="Give the user running Concord write access to the var/ folder (or mount a writable "
            "volume there): the background-job folder, the scheduler's state and uploads live in it.",
            id="concord.E001",
        )
        for problem in var_dir_problems()
    ]


def report_at_start() -> None:
    for problem in var_dir_problems():
        logger.error(
            "Concord cannot write to %s. Give the user running Concord write access to var/ "
            "(background jobs, the scheduler's state and uploads are kept there).",
            problem,
        )
