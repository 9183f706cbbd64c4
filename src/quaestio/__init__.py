"""quaestio: the Cyber Security Coalition's policy-recommendation pipeline."""

__version__ = "0.1.0"
