"""The performance harness: ``python -m bench [--quick]`` times the pipeline against two references.

Modules: ``data`` (cached synthetic exports), ``ours`` (our chain, stage by stage),
``floor`` and ``original`` (the references), ``worker`` (one measurement in a fresh
process), ``run`` (orchestration, targets, table, JSON) and ``profile`` (cProfile helper).
See bench/README.md for what each figure means.
"""
