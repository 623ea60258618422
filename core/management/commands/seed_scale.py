"""Build the benchmark's scale data (see bench/scale and docs/PERFORMANCE.md)."""

from django.core.management.base import BaseCommand, CommandError

from bench.scale import LARGE_ORG_SLUG, SMALL_ORG_COUNT
from bench.scale.build import build


class Command(BaseCommand):
    help = (
        "Create one large organization (20,000 risks, 300 KPIs × 60 months, budgets, RACI, intake, "
        "reports) and 50 small ones, for benchmarks. --scale 0.01 makes the same shape at 1/100. "
        "No history rows are written for this data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="volume factor (default 1 = full size)")
        parser.add_argument("--org-slug", default=LARGE_ORG_SLUG, help="slug of the large organization")
        parser.add_argument(
            "--peers",
            type=int,
            default=SMALL_ORG_COUNT,
            help=f"number of small organizations (default {SMALL_ORG_COUNT})",
        )
        parser.add_argument("--seed", type=int, default=20261123, help="random seed (same seed, same data)")

    def handle(self, *args, scale, org_slug, seed, peers, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if not 0 <= peers <= 500:
            raise CommandError("--peers must be from 0 to 500.")
        try:
            build(scale=scale, seed=seed, slug=org_slug, peers=peers, say=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Scale data ready: {org_slug} and its peers."))
