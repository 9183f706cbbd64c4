"""Publishing: the corpus rendered into reports, open data and the website, in a staged build."""
