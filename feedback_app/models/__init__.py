"""The domain model, one module per entity; import from here."""

from feedback_app.models.api_token import ApiToken
from feedback_app.models.audit import AuditEvent
from feedback_app.models.commitment import (
    Commitment,
    CommitmentNotice,
    CommitmentStatus,
    MailDay,
    Milestone,
    NoticeState,
    StatusChange,
    Unsubscribed,
    commitment_groups,
    commitment_items,
    commitment_regions,
)
from feedback_app.models.contribution import contributions, paper_key
from feedback_app.models.export import ExportArtifact, ExportJob, JobFailure, JobState
from feedback_app.models.idea_group import (
    EVERY_REGION,
    GROUP_ID,
    IdeaGroup,
    IdeaGroupingState,
    IdeaGroupMember,
    IdeaGroupStop,
    IdeaGroupTally,
    IdeaGroupTitle,
    IdeaItemVector,
)
from feedback_app.models.import_batch import ImportBatch, ImportStatus
from feedback_app.models.reference import Category, Region, Theme
from feedback_app.models.review import ReviewNote
from feedback_app.models.search import fold  # also fills Submission.search_text
from feedback_app.models.share import ShareLink
from feedback_app.models.signin_counter import SignInCounter
from feedback_app.models.signoff import StopSignOff
from feedback_app.models.stop import StopStatus, TourStop
from feedback_app.models.submission import (
    FeedbackItem,
    ItemKind,
    Priority,
    ReviewStatus,
    Submission,
    SubmissionSource,
)
from feedback_app.models.tally import StopTally
from feedback_app.models.token import PasswordToken
from feedback_app.models.user import Role, User, user_regions

__all__ = [
    "EVERY_REGION",
    "GROUP_ID",
    "ApiToken",
    "AuditEvent",
    "Category",
    "Commitment",
    "CommitmentNotice",
    "CommitmentStatus",
    "ExportArtifact",
    "ExportJob",
    "FeedbackItem",
    "IdeaGroup",
    "IdeaGroupMember",
    "IdeaGroupStop",
    "IdeaGroupTally",
    "IdeaGroupTitle",
    "IdeaGroupingState",
    "IdeaItemVector",
    "ImportBatch",
    "ImportStatus",
    "ItemKind",
    "JobFailure",
    "JobState",
    "MailDay",
    "Milestone",
    "NoticeState",
    "PasswordToken",
    "Priority",
    "Region",
    "ReviewNote",
    "ReviewStatus",
    "Role",
    "ShareLink",
    "SignInCounter",
    "StatusChange",
    "StopSignOff",
    "StopStatus",
    "StopTally",
    "Submission",
    "SubmissionSource",
    "Theme",
    "TourStop",
    "Unsubscribed",
    "User",
    "commitment_groups",
    "commitment_items",
    "commitment_regions",
    "contributions",
    "fold",
    "paper_key",
    "user_regions",
]
