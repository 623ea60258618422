"""Sign-in security: two-factor authentication, lockout after failed attempts,
idle session expiry, and the Audit page."""
