"""Views of engagement: the platforms' server callbacks."""
