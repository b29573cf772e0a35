"""The waiting room of a center-day held in memory, advanced by the day's events."""
