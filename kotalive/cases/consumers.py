"""What applications tell the kernel's notice consumer (kotalive/workflow/notices.py): the applicant hears of every
step of their case made by someone else, except their own filing, ratings and the escalations (staff matters)."""

from kotalive.workflow.notices import NoticePolicy, notice_policy_register

notice_policy_register(
    NoticePolicy(
        kind="case",
        quiet=frozenset({"submitted", "rated", "escalated"}),
        own_roles=frozenset({"applicant", "citizen"}),  # a step the applicant took, a message they wrote
    )
)
