"""The commands beyond `summarize`, one module each, each with `register(app)`."""
