"""Content: find, load, check and model the YAML files (files -> findings + Corpus)."""
