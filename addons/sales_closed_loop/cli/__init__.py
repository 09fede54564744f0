from . import import_pipeline
from . import score_backtest
