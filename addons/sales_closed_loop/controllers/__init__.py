from . import main
from . import share_link
