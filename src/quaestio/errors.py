"""Exceptions that cross stage boundaries; a leaf of the import graph."""


class BuildError(Exception):
    """A build step failed for a reason the user can act on (the message says which and why)."""


class GitError(Exception):
    """git is missing, refused to answer, or a revision does not exist; the message gives git's reason."""


class UsageError(Exception):
    """The command was given something it cannot use (an option, an environment variable); exit status 2."""
