from . import crm_pipeline_import
