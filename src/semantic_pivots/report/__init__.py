"""What readers see: figures, tables and the notebook runner that builds the book."""
