"""The demo organization's board pack as greyscale page images, for reviewing
print legibility by eye and for the README.

    .venv/bin/python tools/board_pack_pages.py [--out docs/screenshots] [--resolution 80]

Seeds the demo into a throwaway SQLite database, publishes the current
quarter's draft as the CIO, renders its PDF (the same code as the download)
and turns every page into ``board-pack-page-<n>.png`` with ``pdftoppm -gray``
(Debian package poppler-utils; only this tool needs it, never the tests).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORG = "northwind-health"


def board_pack_pdf(database_url: str) -> bytes:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from core.models import Organization, User
    from core.pdf import render_pdf
    from core.roles import Role
    from governance.alignment.services import report_publish
    from governance.alignment.views.reports import pdf_context, pdf_template
    from governance.models import AlignmentReport, ReportStatus

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())
    org = Organization.objects.get(slug=ORG)
    cio = User.objects.get(memberships__organization=org, memberships__role=Role.CIO)
    report = AlignmentReport.objects.filter(organization=org, status=ReportStatus.DRAFT).latest("period_end")
    report = report_publish(actor=cio, report=report)
    return render_pdf(pdf_template(report), pdf_context(report))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--resolution", type=int, default=80, help="dots per inch of the images")
    args = parser.parse_args()
    if not shutil.which("pdftoppm"):
        print("pdftoppm is needed: apt-get install poppler-utils", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="concord-board-pack-"))
    try:
        pdf = workdir / "board-pack.pdf"
        pdf.write_bytes(board_pack_pdf(f"sqlite:///{workdir / 'demo.sqlite3'}"))
        for old in out.glob("board-pack-page-*.png"):
            old.unlink()
        subprocess.run(  # noqa: S603 - a fixed command line, pdftoppm from PATH
            [
                shutil.which("pdftoppm"),
                "-gray",
                "-png",
                "-r",
                str(args.resolution),
                str(pdf),
                str(out / "board-pack-page"),
            ],
            check=True,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for image in sorted(out.glob("board-pack-page-*.png")):
        print(f"  {image.relative_to(ROOT) if image.is_relative_to(ROOT) else image}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
