from archivox.core.admin import register_the_rest_read_only

register_the_rest_read_only("engagement_polls")
