"""Exit 0 while the worker or the scheduler has shown a sign of life within
HEARTBEAT_STALE_SECONDS (a container health check); 1 otherwise."""

from django.core.management.base import BaseCommand, CommandError

from core import heartbeat


class Command(BaseCommand):
    help = "Health check of the Celery worker or scheduler, from the heartbeats /healthz reads."

    def add_arguments(self, parser):
        parser.add_argument("part", choices=["worker", "scheduler"])

    def handle(self, *args, part: str, **options):
        state = heartbeat.status()[part]
        if state["status"] != "ok":
            raise CommandError(
                f"The {part} is {state['status']} (last seen {state['last_seen_seconds_ago']} s ago)."
            )
        self.stdout.write(f"The {part} is ok (last seen {state['last_seen_seconds_ago']} s ago).")
