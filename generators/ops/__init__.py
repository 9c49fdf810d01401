"""Operations on a platform repository beyond rendering: git history and edits to specs.

* :mod:`~generators.ops.hydrate`: an environment's rendered tree committed into a branch;
* :mod:`~generators.ops.revisions`: a service through history, and rolling it back;
* :mod:`~generators.ops.seal`: sealing a value into a secret's spec;
* :mod:`~generators.ops.secret_reports`: secrets' rotation status and who uses them;
* :mod:`~generators.ops.roundtrip`: edits of spec files that keep comments and layout;
* :mod:`~generators.ops.scaffold`: service templates answered, rendered and written.
"""
