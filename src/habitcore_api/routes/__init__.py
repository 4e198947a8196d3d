"""The /v1 routes, a module per kind of thing they act on."""
