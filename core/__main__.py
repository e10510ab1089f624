"""Entry point for ``python -m core``."""
import os
import sys

from core.cli import main

try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:
    # The reader stopped early (``... | head``): nothing is wrong with the run. Point stdout at
    # /dev/null so the interpreter's last flush does not fail again, and end without a traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 0
sys.exit(code)
