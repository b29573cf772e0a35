"""The administration API: consultation days, devices, staff and the config export."""
