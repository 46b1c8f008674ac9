"""Where the command line finds things: notebooks with their parameter models, and ingest kinds.

Notebooks are found by convention, so adding one to the suite touches three files:

1. ``notebooks/NN_topic.ipynb`` (the runner knows it as ``topic``);
2. ``params/topic.yaml``, its default run parameters;
3. a :class:`lainbench.params.RunParams` subclass named after the topic in CamelCase plus
   ``Params`` (``payment_performance`` -> ``PaymentPerformanceParams``), exported by one of the
   capability packages under ``lainbench/`` (found by name, imported only when asked for).

Ingest kinds are ``"module:attribute"`` strings, imported only when used, so ``lainbench --help``
stays fast and one broken module cannot stop the others.

>>> sorted(NOTEBOOKS)[0]
'insurance_requirements'
>>> NOTEBOOKS["payment_performance"].filename, NOTEBOOKS["payment_performance"].default_params
('01_payment_performance.ipynb', 'payment_performance.yaml')
>>> model_class_name("payment_performance")
'PaymentPerformanceParams'
>>> load_object("lainbench.params:RunParams").__name__
'RunParams'
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from dataclasses import dataclass

from lainbench.config import NOTEBOOKS_DIR, PACKAGE_DIR
from lainbench.errors import ParamsError

NOTEBOOK_NAME = re.compile(r"^(?P<number>\d\d)_(?P<topic>[a-z][a-z0-9_]*)\.ipynb$")
# Packages that hold no notebook models (searched last, never imported for a model).
NOT_CAPABILITIES = frozenset({"ingest", "demo", "data", "templates"})


def model_class_name(topic: str) -> str:
    """The params model's class name for a notebook topic, by convention."""
    return "".join(word.capitalize() for word in topic.split("_")) + "Params"


@functools.cache
def find_model(topic: str) -> str:
    """``"package:Class"`` of the params model of notebook ``topic`` (imports packages to look)."""
    wanted = model_class_name(topic)
    looked = []
    for info in sorted(pkgutil.iter_modules([str(PACKAGE_DIR)]), key=lambda i: i.name):
        if not info.ispkg or info.name in NOT_CAPABILITIES:
            continue
        module = f"lainbench.{info.name}"
        looked.append(module)
        if getattr(importlib.import_module(module), wanted, None) is not None:
            return f"{module}:{wanted}"
    raise ParamsError(
        f"notebook {topic!r}: no parameter model named {wanted} in {', '.join(looked)}; define "
        f"`class {wanted}(RunParams)` in the notebook's capability package and export it"
    )


@dataclass(frozen=True)
class NotebookEntry:
    """A notebook known to ``lainbench run``: its file in ``notebooks/`` and its params model."""

    topic: str
    filename: str

    @property
    def default_params(self) -> str:
        """Its default run-parameter file in ``params/``."""
        return f"{self.topic}.yaml"

    @property
    def params_model(self) -> str:
        """``"module:Class"`` of its :class:`lainbench.params.RunParams` subclass."""
        return find_model(self.topic)


def discover(folder=NOTEBOOKS_DIR) -> dict[str, NotebookEntry]:
    """Every ``NN_topic.ipynb`` in ``folder``, by topic, in number order."""
    found: dict[str, NotebookEntry] = {}
    for path in sorted(folder.glob("*.ipynb")):
        m = NOTEBOOK_NAME.match(path.name)
        if m:
            found[m["topic"]] = NotebookEntry(m["topic"], path.name)
    return found


NOTEBOOKS: dict[str, NotebookEntry] = discover()

# `lainbench ingest KIND FILE --out DIR`: each is a function (path, **options) -> IngestResult.
INGEST_KINDS: dict[str, str] = {
    "canonical": "lainbench.ingest.canonical:read_invoice_payment",
    "invoices": "lainbench.ingest.invoices:ingest_invoices",
    "ppr": "lainbench.ingest.ppr:ingest_ppr",
    # published payment figures (PCN, reg 113, PPN 05/15, NHS BPPC); module renamed later
    "published": "lainbench.ingest.returns:ingest_returns",
    "insurance": "lainbench.ingest.insurance:ingest_insurance",
    "suppliers": "lainbench.ingest.suppliers:ingest_suppliers",
    "contracts": "lainbench.ingest.contracts:ingest_contracts",
    "terms": "lainbench.ingest.terms:ingest_terms",
    "ocds": "lainbench.ingest.ocds:ingest_ocds",
    "companies": "lainbench.ingest.companies:ingest_companies",
    "spend": "lainbench.ingest.spend:ingest_spend",
}

# Old kind names, kept for one release: `ingest returns` read published figures before "return"
# came to mean a member's return (lainbench return build).
DEPRECATED_KINDS: dict[str, str] = {"returns": "published"}


def load_object(ref: str):
    """Import ``"module:attribute"`` and return the attribute."""
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)
