"""The event log: what every state change writes, in the same transaction as the change.

Services import this package; they never import `app.live` (which reads the log).
"""
