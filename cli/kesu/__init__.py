"""kesu: a complaint desk kept in a git repository."""

__version__ = "0.1.0"
