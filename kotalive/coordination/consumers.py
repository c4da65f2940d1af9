"""What coordination requests tell the kernel's notice consumer (kotalive/workflow/notices.py): the officer who
asked hears of what the asked agency did (accepted, answered, asked back, declined), not of their own moves."""

from kotalive.workflow.notices import NoticePolicy, notice_policy_register

notice_policy_register(
    NoticePolicy(
        kind="coordination",
        quiet=frozenset({"requested", "replied", "withdrawn", "escalated"}),
        own_roles=frozenset({"requester"}),
    )
)
