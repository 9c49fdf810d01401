"""`platform diff`: two revisions compiled, their objects compared, the impact put first.

* :mod:`~generators.diff.compare`: the base (from git's objects) and the working tree;
* :mod:`~generators.diff.objects`: object-level and field-level changes, secrets masked;
* :mod:`~generators.diff.impact`: what a reviewer must see (exposure, secrets, routing);
* :mod:`~generators.diff.report`: text, Markdown for the PR comment, JSON.
"""
