from . import import_pipeline
