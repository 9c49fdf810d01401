"""Writing what the pipeline rendered: atomically, owning only its own files, cached.

* :mod:`~generators.output.writer`: `platform render`: rendered/ and the workflows, one lock;
* :mod:`~generators.output.tree`: a tree compared with the disk and written atomically;
* :mod:`~generators.output.repository`: the generated workflows in .github/workflows/;
* :mod:`~generators.output.schemas`: the JSON Schemas in schemas/.
"""
