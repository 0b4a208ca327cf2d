"""Destinations of the reverse-ETL: HubSpot, Salesforce, file, webhook."""
