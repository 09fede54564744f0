from . import test_access
from . import test_demo_data
from . import test_gate
from . import test_gate_tour
from . import test_import_bypass
from . import test_pipeline_import
from . import test_stage_data
from . import test_stage_history
