"""What the bot does for each command, button and dialog step; ``register`` wires them up."""
