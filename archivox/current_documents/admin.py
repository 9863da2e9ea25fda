"""Admin: read-only; changes go through the console's services, which check and audit them."""

from archivox.core.admin import register_the_rest_read_only

register_the_rest_read_only("current_documents")
