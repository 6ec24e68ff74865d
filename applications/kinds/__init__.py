"""The city's forms (様式) as a package: ``registry`` (the ``@register`` decorator, ``Kind``, the
hooks), ``base`` (the form base class), ``rules`` (the 前払金・中間前払金・専任 rules, pure) and
one module per 様式. The database reads the forms need are selectors (``applications.selectors``).

The modules are imported here in the 様式's order, which is the order of every list of kinds.
"""

# isort: off
from applications.kinds import recycle  # noqa: F401 - imported to register, in the 様式's order
from applications.kinds import site_agent  # noqa: F401
from applications.kinds import service_engineers  # noqa: F401
from applications.kinds import agent_concurrent  # noqa: F401
from applications.kinds import midterm_choice  # noqa: F401
from applications.kinds import advance_payment  # noqa: F401
from applications.kinds import econtract  # noqa: F401
from applications.kinds import schedule  # noqa: F401
from applications.kinds import surety_notice  # noqa: F401
from applications.kinds import work_report  # noqa: F401 - 中間前金払の認定 (issue 25)
from applications.kinds import midterm_certification  # noqa: F401
from applications.kinds import qualification  # noqa: F401

# isort: on
from applications.kinds.advance_payment import PAYMENT_TYPES, AdvancePaymentForm
from applications.kinds.agent_concurrent import CONCURRENT_MAX, AgentConcurrentForm, other_key
from applications.kinds.base import REQUIRED, KindForm, char, display, labelled_values, mask, text
from applications.kinds.econtract import EContractForm
from applications.kinds.midterm_choice import MidtermChoiceForm
from applications.kinds.recycle import (
    DEFAULT_RECYCLE_VARIANT,
    FACILITIES_PER_WASTE,
    METHODS,
    PROCESSES,
    RECYCLE_VARIANTS,
    WASTES,
    RecycleForm,
    facility_key,
)
from applications.kinds.registry import (
    ALL,
    BOTH,
    BUILD,
    BY_CODE,
    ECONTRACT,
    SERVICE,
    Kind,
    KindHooks,
    all_kinds,
    get_kind,
    kinds_for,
    register,
    register_hooks,
)
from applications.kinds.rules import (
    ADVANCE_TOTAL_RATIO,
    FULL_TIME_RULES,
    MIDTERM_RATIO,
    FullTimeRule,
    full_time_threshold,
)
from applications.kinds.schedule import AttachmentOnlyForm
from applications.kinds.service_engineers import ServiceEngineersForm
from applications.kinds.site_agent import SiteAgentForm, works_header
from applications.kinds.surety_notice import SuretyNoticeForm

KINDS: tuple[Kind, ...] = all_kinds()

__all__ = [
    "ADVANCE_TOTAL_RATIO",
    "ALL",
    "BOTH",
    "BUILD",
    "BY_CODE",
    "CONCURRENT_MAX",
    "DEFAULT_RECYCLE_VARIANT",
    "ECONTRACT",
    "FACILITIES_PER_WASTE",
    "FULL_TIME_RULES",
    "KINDS",
    "METHODS",
    "MIDTERM_RATIO",
    "PAYMENT_TYPES",
    "PROCESSES",
    "RECYCLE_VARIANTS",
    "REQUIRED",
    "SERVICE",
    "WASTES",
    "AdvancePaymentForm",
    "AgentConcurrentForm",
    "AttachmentOnlyForm",
    "EContractForm",
    "FullTimeRule",
    "Kind",
    "KindForm",
    "KindHooks",
    "MidtermChoiceForm",
    "RecycleForm",
    "ServiceEngineersForm",
    "SiteAgentForm",
    "SuretyNoticeForm",
    "char",
    "display",
    "facility_key",
    "full_time_threshold",
    "get_kind",
    "kinds_for",
    "labelled_values",
    "mask",
    "other_key",
    "register",
    "register_hooks",
    "text",
    "works_header",
]
