from . import res_company
from . import crm_lead
from . import res_config_settings
