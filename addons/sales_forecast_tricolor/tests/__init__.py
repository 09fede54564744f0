from . import test_forecast_color
from . import test_forecast_weights
from . import test_forecast_report
