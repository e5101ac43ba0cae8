"""cartkit's contract kit: check any server against a vendor's list-carts contract.

The system under test is only "a base URL or an ASGI app", so the same checks judge a vendor's
sandbox, a team's proxy or cartkit's mock; this package never imports ``mockserver``. Where the
vendor documents token endpoints (``specs.tokens``), the ``tokens`` group checks them too: their
conformance, the grants a client takes, narrower tokens, refusals and customer logins.

>>> from cartkit import contracts
>>> contracts.GROUPS[:3]
('conformance', 'pagination', 'filters')
"""

from __future__ import annotations

from .baseline import Baseline
from .credentials import Credentials
from .errors import ConfigError
from .report import CheckResult, Failure, Outcome, Report
from .runner import GROUPS, check, plan
from .target import Target

__all__ = [
    "GROUPS",
    "Baseline",
    "CheckResult",
    "ConfigError",
    "Credentials",
    "Failure",
    "Outcome",
    "Report",
    "Target",
    "check",
    "plan",
]
