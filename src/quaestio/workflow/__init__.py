"""The working groups' commands: new, fmt, import, diff, serve."""
