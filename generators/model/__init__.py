"""The platform model: the validated specs indexed, and each service resolved per environment.

* :mod:`~generators.model.platform`: :class:`Platform` (every spec by kind and name) and
  :class:`Resolved` (one service in one environment), built from the parsed documents;
* :mod:`~generators.model.layers`: how layers of settings merge, and where a value came from;
* :mod:`~generators.model.resources`: requests and limits with their defaults;
* :mod:`~generators.model.uses`: which secrets and integrations each service uses;
* :mod:`~generators.model.interpolation`: the `${...}` references of env values;
* :mod:`~generators.model.naming`: names derived from spec names (namespaces, hosts);
* :mod:`~generators.model.clock`: the day dates are judged against.
"""
