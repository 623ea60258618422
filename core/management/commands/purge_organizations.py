"""manage.py purge_organizations — carry out the confirmed deletions of
organizations whose grace period has passed (the hourly task does the same)."""

from django.core.management.base import BaseCommand

from core.organizations import organization_purge_due, organizations_due_for_deletion


class Command(BaseCommand):
    help = "Remove the organizations whose confirmed deletion's grace period has passed."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list them.")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            for org in organizations_due_for_deletion():
                self.stdout.write(f"Due: {org.name} ({org.slug})")
            return
        removed = organization_purge_due()
        for name in removed:
            self.stdout.write(self.style.SUCCESS(f"Removed {name}."))
        if not removed:
            self.stdout.write("No organization is due for deletion.")
