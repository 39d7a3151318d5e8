"""Web views, one module per flow: briefs, offers (applications and invitations), workspace."""
