"""factdb's typed SQLAlchemy models, one module per aggregate."""

from factdb.db import Base
from factdb.models.audit import AuditEvent
from factdb.models.claim import Claim, ClaimRelation, Evidence, Review, SpeakerStatusCount
from factdb.models.cluster import (
    ClaimCluster,
    ClaimClusterMember,
    ClaimMatchKey,
    ClaimNotSame,
    ReviewFollow,
)
from factdb.models.desk import Assignment, ClaimOpening
from factdb.models.editor import Editor
from factdb.models.extraction_model import ExtractionModel
from factdb.models.login import LoginFailure, LoginSession
from factdb.models.source import Sentence, Source
from factdb.models.speaker import Speaker, SpeakerAlias, SpeakerAliasGram, SpeakerMergeSuggestion
from factdb.models.token import ApiToken

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "Base",
    "Claim",
    "ClaimCluster",
    "ClaimClusterMember",
    "ClaimMatchKey",
    "ClaimNotSame",
    "ClaimOpening",
    "ClaimRelation",
    "Editor",
    "Evidence",
    "ExtractionModel",
    "LoginFailure",
    "LoginSession",
    "Review",
    "ReviewFollow",
    "Sentence",
    "Source",
    "Speaker",
    "SpeakerAlias",
    "SpeakerAliasGram",
    "SpeakerMergeSuggestion",
    "SpeakerStatusCount",
]
