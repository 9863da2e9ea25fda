from archivox.core.admin import register_the_rest_read_only

# Read-only: repositories, runs and records change through the console and the harvests.
register_the_rest_read_only("harvesting")
