"""API endpoints, one module per area. Each calls the same services and selectors as the web pages."""
