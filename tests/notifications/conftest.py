import pytest

from core import services
from tests.testapp.models import Document


@pytest.fixture
def document(org, cio):
    """A joint-decision subject only the CIO and the CISO may see (Perm.RISK_VIEW)."""
    doc = Document(organization=org, title="Cloud policy")
    services.record_creation(doc, actor=cio)
    return doc
