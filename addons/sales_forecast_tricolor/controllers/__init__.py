from . import signal_api
