"""Alert routing, shared by the alerting checks and target.

* :mod:`~generators.domain.alerting.routes`: who hears of which severity, and credentials;
* :mod:`~generators.domain.alerting.config`: an environment's Alertmanager configuration;
* :mod:`~generators.domain.alerting.silences`: matchers, silences and their expiry.
"""
