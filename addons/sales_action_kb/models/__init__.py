from . import sales_action_tag
from . import sales_action
from . import sales_action_usage
from . import crm_lead
