"""Where habitcore keeps its data: tables, the store, rows turned into records, kept tallies and
the Alembic migrations. Frontends never import from here; they go through the Tracker."""
