"""Publishing the BI-facing marts to a read-only analytics database after a good run."""
