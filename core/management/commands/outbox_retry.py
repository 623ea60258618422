"""Send again the background jobs that gave up (after fixing their cause,
e.g. the mail settings). /healthz counts them under outbox.failed."""

from django.core.management.base import BaseCommand

from core import outbox


class Command(BaseCommand):
    help = "Send again the background jobs (e-mails, builds) that failed too many times."

    def handle(self, *args, **options):
        count = outbox.retry_failed()
        self.stdout.write(f"{count} failed job{'s' if count != 1 else ''} sent again.")
