from archivox.core.admin import register_the_rest_read_only

# Menus are changed in the console (review, publishing); the admin only shows them.
register_the_rest_read_only("service_hall")
