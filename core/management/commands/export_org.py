"""manage.py export_org <slug> > org.json — one organization's data as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from core.models import Organization
from core.portability import ExportEncoder, export_organization


class Command(BaseCommand):
    help = "Write one organization's data (people, memberships, every record) as JSON to standard output."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organization's short name, e.g. northwind-health.")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args, slug, output=None, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization with the short name “{slug}”.")
        text = json.dumps(export_organization(organization), cls=ExportEncoder, indent=1, sort_keys=True)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(self.style.SUCCESS(f"Exported {organization.name} to {output}."))
        else:
            self.stdout.write(text)
