from . import test_sales_action
from . import test_sales_action_access
from . import test_sales_action_data
from . import test_sales_action_tour
from . import test_sales_action_usage
from . import test_sales_action_usage_concurrency
