"""The audit log: who read or changed which visitor's personal data, when, at which desk."""
