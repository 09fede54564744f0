from . import crm_evidence_type
from . import crm_lead_evidence
from . import crm_lead_stage_history
from . import crm_stage
from . import crm_lead
from . import crm_lead_import
