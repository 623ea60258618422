"""Create the Northwind Health demo organization. Safe to run twice."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import DEMO_PEOPLE, seed_people, seed_second

# Dependency order: each app may rely on the demo data of the apps before it.
DEMO_APPS = ("kpis", "risks", "budgets", "governance")


class Command(BaseCommand):
    help = "Create the Northwind Health demo organization with one person per role (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            org, people, second = seed_people()
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(org, people)
            seed_second(second)
            from core.notifications import demo as notifications_demo

            notifications_demo.seed(org, people)  # last: it reports on every app's demo data
        self.stdout.write(self.style.SUCCESS(f"Demo organization ready: {org.name}"))
        self.stdout.write("Sign in at http://127.0.0.1:8000/ with any of these e-mails:")
        for email, name, role in DEMO_PEOPLE:
            self.stdout.write(f"  {role.label:<20} {email:<32} ({name})")
        self.stdout.write(f"Password for all of them: {settings.DEMO_PASSWORD}")
