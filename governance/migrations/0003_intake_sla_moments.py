"""Stored SLA moments on intake requests (lists filter, count and sort by SLA
state in the database), filled for the existing requests."""

from collections import defaultdict

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from governance.intake import rules as intake_rules

BATCH = 1000


def fill_sla_moments(apps, schema_editor):
    """Store every request's SLA moments, computed as the services now do."""
    IntakeRequest = apps.get_model("governance", "IntakeRequest")
    IntakePause = apps.get_model("governance", "IntakePause")
    IntakeSettings = apps.get_model("governance", "IntakeSettings")
    now = timezone.localtime()
    at_risk = dict(IntakeSettings.objects.values_list("organization_id", "at_risk_percent"))
    ids = list(IntakeRequest.objects.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), BATCH):
        batch = list(IntakeRequest.objects.filter(pk__in=ids[offset:offset + BATCH]))
        pauses = defaultdict(list)
        for p in IntakePause.objects.filter(request_id__in=[r.pk for r in batch]).order_by("started_at"):
            pauses[p.request_id].append((timezone.localtime(p.started_at),
                                         timezone.localtime(p.ended_at) if p.ended_at else None))
        for request in batch:
            moments = intake_rules.sla_moments(
                submitted_at=timezone.localtime(request.submitted_at), sla_days=request.sla_days,
                at_risk_percent=at_risk.get(request.organization_id, 75), now=now, pauses=pauses[request.pk],
                decided_at=timezone.localtime(request.decided_at) if request.decided_at else None,
                paused=request.status == "needs_info")
            request.sla_due_at, request.sla_at_risk_at = moments.due_at, moments.at_risk_at
            request.sla_elapsed_days = moments.elapsed_days
        IntakeRequest.objects.bulk_update(batch, ["sla_due_at", "sla_at_risk_at", "sla_elapsed_days"])


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_security_events_and_mfa_default'),
        ('governance', '0002_alignment_report'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='intakerequest',
            name='sla_at_risk_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='While the clock runs: the request is at risk from this moment.', null=True, verbose_name='SLA at risk from'),
        ),
        migrations.AddField(
            model_name='intakerequest',
            name='sla_due_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='While the clock runs: the SLA is breached once this moment is past.', null=True, verbose_name='SLA breached after'),
        ),
        migrations.AddField(
            model_name='intakerequest',
            name='sla_elapsed_days',
            field=models.FloatField(blank=True, editable=False, help_text='While the clock stands still (waiting for the requester, or decided): the business days it counted. Once decided, the time to decision.', null=True, verbose_name='Business days counted'),
        ),
        migrations.AddIndex(
            model_name='intakerequest',
            index=models.Index(fields=['organization', 'sla_due_at'], name='intake_org_sla_due'),
        ),
        migrations.AddIndex(
            model_name='intakerequest',
            index=models.Index(fields=['organization', '-submitted_at'], name='intake_org_submitted'),
        ),
        migrations.AddIndex(
            model_name='intakerequest',
            index=models.Index(fields=['organization', 'decided_at'], name='intake_org_decided'),
        ),
        migrations.RunPython(fill_sla_moments, migrations.RunPython.noop),
    ]
