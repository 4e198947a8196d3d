"""``habit``: habitcore in a terminal. A thin adapter: parse, call habitcore, render."""
