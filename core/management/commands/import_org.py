"""manage.py import_org org.json — recreate an exported organization here (all or nothing)."""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.portability import import_organization


class Command(BaseCommand):
    help = "Import an organization exported with export_org. Nothing is written if anything fails."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file written by export_org ('-' for standard input).")

    def handle(self, *args, path, **options):
        import sys

        try:
            handle = sys.stdin if path == "-" else open(path, encoding="utf-8")
            with handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            organization = import_organization(data)
        except DomainError as exc:
            raise CommandError(f"Import refused, nothing was written. {exc.message}") from exc
        except Exception as exc:
            raise CommandError(
                f"Import failed and nothing was written: {exc.__class__.__name__}: {exc}"
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {organization.name} ({organization.slug})."))
