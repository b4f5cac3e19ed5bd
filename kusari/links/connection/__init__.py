"""Connection links."""
