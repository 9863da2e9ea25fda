"""Database backends: Django's, with what this project changes about them."""
