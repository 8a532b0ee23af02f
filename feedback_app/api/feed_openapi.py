"""The BI feed's part of the OpenAPI document (api/openapi.py): one path per feed and format,
one row schema per feed, its columns in the order the JSON and the CSV give them."""

from __future__ import annotations

from typing import Any

from feedback_app.models import ItemKind, Priority, ReviewStatus, SubmissionSource
from feedback_app.services.feed import (
    COMMITMENT_COLUMNS,
    DEFAULT_LIMIT,
    FEED_ENTRY_COLUMNS,
    GROUP_COLUMNS,
    MAX_LIMIT,
    SUBMISSION_COLUMNS,
)

_STR = {"type": "string"}
_OPT_STR = {"type": "string", "nullable": True}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_MOMENT = {"type": "string", "format": "date-time", "description": "In the tour's time zone."}
_DATE = {"type": "string", "format": "date"}
_STATUSES = [s.value for s in ReviewStatus if s is not ReviewStatus.SPAM]

_TYPES: dict[str, dict[str, Any]] = {
    "submission_id": _INT,
    "reference": _STR,
    "received_at": _MOMENT,
    "region": {**_STR, "description": "The region's slug."},
    "region_name": _STR,
    "stop_id": _INT,
    "stop_city": _STR,
    "stop_date": _DATE,
    "organisation": _STR,
    "category": _STR,
    "category_name": _STR,
    "source": {"type": "string", "enum": [s.value for s in SubmissionSource]},
    "status": {
        "type": "string",
        "enum": _STATUSES,
        "description": "Review status (spam is never in the feed).",
    },
    "language": _STR,
    "entries": _INT,
    "entry_id": _INT,
    "entry_position": _INT,
    "kind": {"type": "string", "enum": [k.value for k in ItemKind]},
    "kind_name": _STR,
    "theme": _OPT_STR,
    "theme_name": _OPT_STR,
    "priority": {"type": "string", "nullable": True, "enum": [p.value for p in Priority] + [None]},
    "shortlisted": _BOOL,
    "text": _STR,
}
_GROUP_TYPES: dict[str, dict[str, Any]] = {
    "group_id": _INT,
    "kind": _TYPES["kind"],
    "kind_name": _STR,
    "title": {**_STR, "description": "Written by a person the reader may see, else automatic."},
    "confirmed": _BOOL,
    "title_written": {**_BOOL, "description": "The title is one a person wrote."},
    "entries": {**_INT, "description": "Entries of the group the token's owner may read."},
    "organisations": _INT,
    "regions": _INT,
    "created_at": _MOMENT,
}
_COMMITMENT_TYPES: dict[str, dict[str, Any]] = {
    "commitment_id": _INT,
    "title": _STR,
    "owner": _STR,
    "national": _BOOL,
    "regions": {**_STR, "description": "Region slugs separated by `;` (empty: national)."},
    "status": {"type": "string", "enum": ["planned", "in_progress", "done", "dropped"]},
    "status_name": _STR,
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "created_at": _MOMENT,
    "updated_at": _MOMENT,
}


def _row(columns: tuple[str, ...], types: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(columns),
        "properties": {name: types[name] for name in columns},
        "additionalProperties": False,
    }


def _page(row: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data", "next"],
        "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{row}"}},
            "next": {
                "type": "string",
                "nullable": True,
                "description": "The next page's address (also in the `Link` header); null "
                "on the last page.",
            },
        },
    }


FEED_SCHEMAS: dict[str, Any] = {
    "FeedSubmission": _row(SUBMISSION_COLUMNS, _TYPES),
    "FeedEntry": _row(FEED_ENTRY_COLUMNS, _TYPES),
    "FeedIdeaGroup": _row(GROUP_COLUMNS, _GROUP_TYPES),
    "FeedCommitment": _row(COMMITMENT_COLUMNS, _COMMITMENT_TYPES),
    "FeedSubmissionPage": _page("FeedSubmission"),
    "FeedEntryPage": _page("FeedEntry"),
    "FeedIdeaGroupPage": _page("FeedIdeaGroup"),
    "FeedCommitmentPage": _page("FeedCommitment"),
}
FEED_SECURITY: dict[str, Any] = {
    "feedToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal token made on the account page (`/account`), read-only, "
        "scoped to its owner's regions, expiring; shown once.",
    }
}

_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "since",
        "in": "query",
        "required": False,
        "description": "Only rows created at or after this moment (ISO 8601 date or date-time; "
        "without an offset, the tour's time zone). Changes to rows already read are not new "
        "rows: refresh in full to see them.",
        "schema": {"type": "string", "maxLength": 40},
    },
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": "Opaque: copy it from the `next` link.",
        "schema": {"type": "string", "maxLength": 200},
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"Rows per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    },
]
_LINK = {
    "Link": {
        "description": 'The next page: `<url>; rel="next"`, absent on the last page.',
        "schema": {"type": "string"},
    }
}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ERRORS: dict[str, Any] = {
    "400": {
        "description": "The address holds characters refused everywhere (control characters, "
        "malformed encoding).",
        "content": _ERROR,
    },
    "401": {
        "description": "No token, or one unknown, expired, revoked, or whose owner was "
        "deactivated.",
        "headers": {
            "WWW-Authenticate": {"description": "`Bearer ...`", "schema": {"type": "string"}}
        },
        "content": _ERROR,
    },
    "422": {
        "description": "An invalid `since`, `cursor` or `limit`.",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}
        },
    },
    "429": {"description": "Too many requests for this token.", "content": _ERROR},
}
_SUMMARIES = {
    "submissions": ("Submission", "Contributions (one per professional and stop)."),
    "entries": ("Entry", "Entries (needs, opportunities, challenges, proposals), one per row."),
    "idea-groups": ("IdeaGroup", "Recurring ideas, as the owner's ideas page shows them."),
    "commitments": ("Commitment", "Commitments the owner reads (their regions' and national)."),
}


def _operation(name: str, row: str, summary: str, csv: bool) -> dict[str, Any]:
    ok: dict[str, Any] = {
        "description": "One page, oldest rows first (by id).",
        "headers": _LINK,
        "content": {"text/csv": {"schema": {"type": "string"}}}
        if csv
        else {
            "application/json": {"schema": {"$ref": f"#/components/schemas/Feed{row}Page"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
    slug = "".join(part.capitalize() for part in name.split("-"))
    return {
        "get": {
            "operationId": f"feed{slug}{'Csv' if csv else ''}",
            "summary": summary
            + (
                " CSV: UTF-8 with BOM, RFC 4180, formula-safe."
                if csv
                else " JSON; CSV with `Accept: text/csv`."
            ),
            "security": [{"feedToken": []}],
            "parameters": _PARAMETERS,
            "responses": {"200": ok, **_ERRORS},
        }
    }


FEED_PATHS: dict[str, Any] = {
    f"/api/v1/feed/{name}{suffix}": _operation(name, row, summary, bool(suffix))
    for name, (row, summary) in _SUMMARIES.items()
    for suffix in ("", ".csv")
}
