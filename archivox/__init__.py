"""Archivox: a self-media public service platform for archives."""
