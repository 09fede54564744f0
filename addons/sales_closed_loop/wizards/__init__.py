from . import crm_pipeline_import
from . import crm_lead_gate_override_wizard
from . import crm_lead_escalation_reply
from . import crm_lead_share_link_wizard
from . import crm_flow_report_send
