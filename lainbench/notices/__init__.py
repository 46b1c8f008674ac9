"""Statutory notices a member must publish, derived from its own ledger (issue 14).

* :mod:`~lainbench.notices.calendar`: s.69 reporting periods and s.70 quarters, with deadlines;
* :mod:`~lainbench.notices.pcn`: the payments compliance notice (Procurement Regulations 2024
  reg 38(2)(a)-(e));
* :mod:`~lainbench.notices.s70`: payments over £30,000 under public contracts (s.70);
* :mod:`~lainbench.notices.compare`: measure-aware published-vs-ledger comparison;
* :mod:`~lainbench.notices.render`: a one-page HTML notice and CSV / xlsx of the figures;
* :mod:`~lainbench.notices.rules`: dated payment rules from ``params/payment_rules.yaml``.
"""
