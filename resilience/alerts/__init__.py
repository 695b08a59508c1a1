"""Alerts: what needs a coordinator now, each with the action that resolves it."""
