"""Batch analysis of many inputs: the same analysis as ``hinge analyze``, run over a folder or
a list of files on a local process pool or on a Ray cluster, resumable and crash-safe.

Modules: :mod:`discover` (what to analyse), :mod:`jobs` (one file -> one result),
:mod:`store` (the output folder's layout and atomic writes), :mod:`local` and
:mod:`ray_engine` (engines), :mod:`table` (the per-rep results table), :mod:`runner` (ties them
together: skip what is done, run the rest, keep the manifest, write the table).
"""
