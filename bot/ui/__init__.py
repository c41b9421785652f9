"""What every feature shows the same way: member text, the brand style, and buttons."""
