"""Creator pages, one module per flow: profiles, discovery (search and shortlists), roster import."""
