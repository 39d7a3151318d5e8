"""API serializers, one module per area, named like the views in api/views/ that use them."""
