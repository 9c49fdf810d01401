"""What both checks and targets need to know, importing neither.

* :mod:`~generators.domain.layout`: the rendered tree's layout and the marks other stages read;
* :mod:`~generators.domain.alerting`: alert routing (Alertmanager configuration, silences);
* :mod:`~generators.domain.monitoring`: default alerts, SLO rules (Sloth), dashboards;
* :mod:`~generators.domain.secrets`: sealing and rotation;
* :mod:`~generators.domain.ci`: the per-service CI workflows, as plans and as data;
* :mod:`~generators.domain.webhooks`: the webhook settings a service's code reads;
* :mod:`~generators.domain.cron`: cron schedules as Kubernetes reads them.
"""
