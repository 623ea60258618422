"""The test Document's joint decisions, for testing core's sign-off plumbing."""

from core import services
from core.joint import joint_decision


def _sign(purpose):
    def sign(*, actor, subject, decision="approve", comment=""):
        return services.signoff_sign(
            actor=actor, subject=subject, purpose=purpose, decision=decision, comment=comment
        )

    return sign


for _purpose in ("approval", "acceptance", "submission"):
    joint_decision(
        model="testapp.document", purpose=_purpose, label=f"Document {_purpose}", sign=_sign(_purpose)
    )
