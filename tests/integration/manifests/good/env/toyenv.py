"""An empty module: the manifest checker only looks for the file."""
