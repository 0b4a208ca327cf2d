"""The HTTP collector: tracking calls, signed email webhooks and form posts, written durably
into the landing folder in the formats ingestion reads (docs/collector.md)."""
