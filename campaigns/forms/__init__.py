"""Campaign forms, one module per flow, named like the views in campaigns/views/."""
