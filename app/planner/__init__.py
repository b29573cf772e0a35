"""The planner's bridge from the database to app/planning: a center-day as a DaySetup,
past days as they happened, the what-if runs (the simulator's only request-side user
besides the demo day)."""
