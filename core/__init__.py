"""TierLens core: everything but the user interface (no streamlit here).

Importing the package first sets the allocators to keep freed memory for reuse (core.memory);
this must happen before pyarrow loads, so the app, the CLI and the benchmark import ``core`` first.
"""
from core import memory as _memory

_memory.keep_freed_memory()
