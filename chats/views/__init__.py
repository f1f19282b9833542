"""The chat pages, one module per sub-domain."""
