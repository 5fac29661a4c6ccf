"""Model catalog, validation, metrics, AutoML search and ensembles, and model bundles."""
