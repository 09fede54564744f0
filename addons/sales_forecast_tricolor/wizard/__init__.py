from . import sales_forecast_downgrade_wizard
from . import sales_forecast_signal_import
