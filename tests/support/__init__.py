"""Code the tests share: a static host for the browser tests and the benchmark."""
