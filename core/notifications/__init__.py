"""Notifications: one catalogue of events, each told to the people who may see
its item, through the in-app inbox, e-mail (at once or in a digest), the
organization's chat channels, and a personal calendar feed.

- ``catalogue``: the events, and the hooks apps plug in from their
  ``notification_events.py`` (events, daily sweeps, calendar dates).
- ``services``: ``notify(...)`` (inside the caller's transaction; sending goes
  through core.outbox after commit), preferences, inbox, chat channels.
- ``delivery``: the worker's side, each message sent once and recorded.
- ``digests``, ``sweeps``, ``calendar``: the daily and weekly digests, the
  time-based events, the ICS feed.
"""
