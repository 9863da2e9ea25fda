"""Access tokens that platforms issue to us, shared by every process through the database."""
