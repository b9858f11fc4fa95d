"""The ``modelrace`` command line: one module per capability, mounted by ``main``.

Owns parsing options, one library call per command, and rendering (Rich text or ``--json``). Holds no SQL and
no analysis; nothing in the package imports ``cli``.
"""
