"""Screenshots of Concord's main pages at desktop (1440 px) and phone (390 px) widths.

    .venv/bin/python tools/screenshots.py [--only dashboard,register] [--out docs/screenshots]

Seeds the demo organization into a throwaway SQLite database, starts Concord on a
free local port, signs in as the person who uses each page (through the real
sign-in and two-factor pages) and saves ``<page>-desktop.png`` and
``<page>-phone.png``. A page that does not exist yet is skipped with a note.
Runs Debian's Chromium; never downloads a browser.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORG = "northwind-health"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_HEIGHT = {"desktop": 2000, "phone": 2600}  # long pages are cut here
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Shot:
    slug: str
    title: str
    who: str | None  # demo role signed in, None for a public page
    url_name: str
    # (app label, model, filter, ordering) of the object the page shows, if any
    subject: tuple[str, str, dict, str] | None = None
    extra: dict = field(default_factory=dict)


PAGES = [
    Shot("sign-in", "Sign in", None, "login"),
    Shot("dashboard", "Shared dashboard", "cio", "governance:dashboard"),
    Shot("register", "Risk register", "cio", "risks:register"),
    Shot("heat-map", "Heat map", "ciso", "risks:heatmap"),
    Shot("risk", "A risk, both assessments", "ciso", "risks:detail", ("risks", "Risk", {}, "number")),
    Shot("scorecard", "KPI scorecard", "cio", "kpis:scorecard"),
    Shot("budget", "Budget proposal", "cio", "budgets:proposal_detail", ("budgets", "Proposal", {}, "-id")),
    Shot("raci", "RACI grid", "cio", "governance:raci"),
    Shot("intake", "Intake queue", "ciso", "governance:intake_list"),
    Shot("intake-form", "New intake request", "contributor", "governance:intake_create"),
    Shot(
        "board-report",
        "Board report",
        "board",
        "governance:report_detail",
        ("governance", "AlignmentReport", {"status": "published"}, "-id"),
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env_db: str) -> tuple[dict, dict]:
    """Migrate and seed the throwaway database; return page URLs and sign-in data.
    Runs before the browser starts (Django's ORM and Playwright's loop do not mix)."""
    os.environ["DATABASE_URL"] = env_db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.urls import NoReverseMatch, reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.demo import DEMO_PEOPLE
    from core.models import Organization, User
    from core.security import mfa

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())
    org = Organization.objects.get(slug=ORG)

    urls: dict[str, str] = {}
    for shot in PAGES:
        kwargs = {} if shot.who is None else {"org": ORG}
        if shot.subject:
            app_label, model_name, filters, ordering = shot.subject
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                urls[shot.slug] = f"skipped: no {app_label}.{model_name} model yet"
                continue
            obj = model.objects.filter(organization=org, **filters).order_by(ordering).first()
            if obj is None:
                urls[shot.slug] = f"skipped: the demo has no {model_name} to show"
                continue
            kwargs["pk"] = obj.pk
        try:
            urls[shot.slug] = reverse(shot.url_name, kwargs=kwargs or None)
        except NoReverseMatch:
            urls[shot.slug] = f"skipped: page {shot.url_name} does not exist yet"

    people = {}
    for email, _name, role in DEMO_PEOPLE:
        user = User.objects.get(email=email)
        device = None
        if mfa.required_for(user) or mfa.is_enrolled(user):
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            device = (device.bin_key, device.step, device.t0, device.digits)
        people[str(role)] = {"email": email, "totp": device}
    return urls, people


def totp(device: tuple) -> str:
    from django_otp.oath import TOTP

    key, step, t0, digits = device
    return f"{TOTP(key, step, t0, digits).token():0{digits}d}"


def start_server(env_db: str, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=env_db, DEBUG="true", CELERY_TASK_ALWAYS_EAGER="true", MFA_REMEMBER_DAYS="0")
    server = subprocess.Popen(  # noqa: S603 - a fixed command line
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"Concord did not start; see {log}")


def sign_in(page, person: dict, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(person["email"])
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if person["totp"] is not None:
        page.get_by_label("Code").fill(totp(person["totp"]))
        with page.expect_navigation():
            page.get_by_role("button", name="Verify").click()
    if "/accounts/" in page.url:
        raise SystemExit(f"could not sign in as {person['email']} (ended on {page.url})")


def capture(page, shot: Shot, path: str, out: Path) -> list[str]:
    notes = []
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        status = response.status if response else 0
        if status == 404:
            return [f"skipped: {path} answers 404"]
        if status >= 400:
            notes.append(f"{label}: HTTP {status}")
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT[label])
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            notes.append(f"{label}: {overflow}px wider than the screen")
        # A window as tall as the page, so that the sticky full-height sidebar
        # looks as it does while scrolling.
        page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
        page.wait_for_timeout(150)
        page.screenshot(path=str(out / f"{shot.slug}-{label}.png"))
    return notes


def run(urls: dict, people: dict, base_url: str, out: Path, only: set[str]) -> list[tuple[str, str]]:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        contexts = {}
        for shot in PAGES:
            if only and shot.slug not in only:
                continue
            path = urls[shot.slug]
            if path.startswith("skipped"):
                results.append((shot.slug, path))
                continue
            if shot.who not in contexts:
                context = browser.new_context(base_url=base_url, viewport=DESKTOP)
                page = context.new_page()
                problems: list[str] = []
                page.on("pageerror", lambda e, problems=problems: problems.append(f"JavaScript error: {e}"))
                page.on("console", lambda m, problems=problems: m.type == "error" and problems.append(m.text))
                if shot.who:
                    sign_in(page, people[shot.who], settings.DEMO_PASSWORD)
                contexts[shot.who] = (page, problems)
            page, problems = contexts[shot.who]
            problems.clear()
            notes = capture(page, shot, path, out) + problems
            results.append((shot.slug, "; ".join(notes) or "ok"))
        browser.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument(
        "--only", default="", help="comma-separated page names: " + ", ".join(s.slug for s in PAGES)
    )
    args = parser.parse_args()
    if not shutil.which("chromium"):
        print("Debian's chromium is needed: apt-get install chromium", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="concord-screenshots-"))
    env_db = f"sqlite:///{workdir / 'demo.sqlite3'}"
    try:
        print("Seeding the demo into a throwaway database...")
        urls, people = prepare(env_db)
        port = free_port()
        server = start_server(env_db, port, workdir / "server.log")
        try:
            results = run(
                urls, people, f"http://127.0.0.1:{port}", out, set(filter(None, args.only.split(",")))
            )
        finally:
            server.terminate()
            server.wait(timeout=15)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    width = max(len(slug) for slug, _ in results)
    for slug, note in results:
        print(f"  {slug:<{width}}  {note}")
    print(f"Screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
