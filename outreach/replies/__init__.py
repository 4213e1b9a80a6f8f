"""The reply inbox on the web: the inbound endpoints, the REST API and the dashboard pages."""
