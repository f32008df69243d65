"""Web pages, one module per area; each view parses input, calls a service or selector, renders."""
