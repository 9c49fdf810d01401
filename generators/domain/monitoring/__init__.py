"""Monitoring knowledge shared by the observability checks and target.

* :mod:`~generators.domain.monitoring.defaults`: the default alerts of each workload type;
* :mod:`~generators.domain.monitoring.slo`: Sloth-compatible SLO recording and alert rules;
* :mod:`~generators.domain.monitoring.rules`: a service's rules, from its spec;
* :mod:`~generators.domain.monitoring.dashboards`: a service's Grafana dashboard.
"""
