"""Creator forms, one module per flow, named like the views in creators/views/."""
