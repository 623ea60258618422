"""The organization's NIST CSF 2.0 profile: per outcome (subcategory) its scope,
target and current implementation level, the owner lens that assesses it, the
gaps between current and target, and the joint sign-off of the target."""
