"""What applications tell the kernel's notice consumer (kotalive/workflow/notices.py): the applicant hears of every
step of their case made by someone else, except their own filing, ratings and the escalations (staff matters)."""

from kotalive.workflow.notices import NoticePolicy, notice_policy_register

notice_policy_register(
    NoticePolicy(
        kind="case",
        # output_issued comes with the completing step's own notice; the document's notice says when it is signed.
        quiet=frozenset({"submitted", "rated", "escalated", "output_issued"}),
        own_roles=frozenset({"applicant", "citizen"}),  # a step the applicant took, a message they wrote
    )
)
# Output documents: the holder hears when theirs is signed (ready to download) and if it is revoked.
notice_policy_register(NoticePolicy(kind="document", quiet=frozenset(), own_roles=frozenset()))

# Life-event bundles: the applicant hears how the whole ended and of a part that could not be filed (a part waiting
# for their other open application shows on the bundle's page); each part's own steps reach them as its case notices.
notice_policy_register(
    NoticePolicy(
        kind="bundle",
        quiet=frozenset({"submitted", "part_filed", "part_ended", "part_waiting"}),
        own_roles=frozenset({"applicant"}),
    )
)
