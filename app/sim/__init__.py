"""The consultation-day simulator, as a library: scenarios, the simulator, the baselines.

Pure (no FastAPI, no SQLAlchemy, no I/O). Out of the request path: the server imports it
only for the planner (app/planning) and the demo's simulated day.
"""
