"""Choice lists shared by several domains, defined once."""

from django.db import models


class Domain(models.TextChoices):
    """Whose concern a record is: IT (the CIO's), security (the CISO's), or both.
    Risks call it their origin, KPIs and budget items their domain: the stored
    values are the same everywhere."""

    IT = "it", "IT"
    SECURITY = "security", "Security"
    JOINT = "joint", "Joint"
