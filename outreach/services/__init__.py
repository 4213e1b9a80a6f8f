"""Every write the outreach app makes goes through a function in this package."""
