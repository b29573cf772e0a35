"""Invitations: invitees per center-day, their codes, arrival windows, letters, turnout."""
