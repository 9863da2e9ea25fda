"""Inbound email: parsing a message from an MTA pipe or an IMAP mailbox (no models)."""
