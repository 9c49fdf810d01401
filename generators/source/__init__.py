"""Where specs come from: files discovered and loaded with positions, or a git revision.

* :mod:`~generators.source.discover`: which files are specs, and loading them all;
* :mod:`~generators.source.load`: one file into located plain data (the file rules);
* :mod:`~generators.source.cache`: that data by the hash of a file's bytes, machine-local;
* :mod:`~generators.source.compose`: ruamel's parser, and YAML nodes into plain data;
* :mod:`~generators.source.syntax`: YAML syntax errors explained the way users fix them;
* :mod:`~generators.source.located`: a loaded document and its positions;
* :mod:`~generators.source.documents`: a document's envelope (kind, name) and its model;
* :mod:`~generators.source.pydantic_errors`: model errors, located and worded;
* :mod:`~generators.source.git`: revisions read from git's object database.
"""
