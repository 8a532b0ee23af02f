"""The OpenAPI 3 description of the JSON API (SPEC.md "Interface contract"), served as JSON.

Hand-written so that it states the contract rather than whatever the code happens to do;
tests/test_openapi_schemathesis.py checks the code against it.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from feedback_app.api import bp
from feedback_app.api.feed_openapi import FEED_PATHS, FEED_SCHEMAS, FEED_SECURITY
from feedback_app.locales import LANGUAGE_CODES, localised
from feedback_app.models import ItemKind, Priority, StopStatus
from feedback_app.services.capture.validation import (
    MAX_EMAIL,
    MAX_ITEM_TEXT,
    MAX_ITEMS,
    MAX_JOB_TITLE,
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_PHONE,
)

# SPEC.md's professional categories (seeded by migration 0001; a test compares them).
CATEGORY_CODES = (
    "hebergement",
    "agence_voyages",
    "transport_touristique",
    "restauration",
    "crt",
    "guide",
    "animation_loisirs",
    "institution",
    "autre",
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema_name: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
        **extra,
    }


def _nullable_string(max_length: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "nullable": True, **extra}


_CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "The stop's public code, as printed on its poster (e.g. `k7m2p9qx`).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending again.",
        "schema": {"type": "integer"},
    }
}

_REGION = {
    "name": "region_slug",
    "in": "path",
    "required": True,
    "description": "A region's slug, e.g. `marrakech-safi`.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}
_STATUSES = ["planned", "in_progress", "done", "dropped"]
_COMMITMENT_SCHEMAS: dict[str, Any] = {
    "Commitment": {
        "type": "object",
        "required": [
            "id",
            "title",
            "description",
            "owner",
            "national",
            "regions",
            "status",
            "progress",
            "milestones",
            "changes",
            "ideas",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string", "description": "In the reader's language, else French."},
            "description": {"type": "string"},
            "owner": {"type": "string", "description": "The institution that carries it."},
            "national": {"type": "boolean"},
            "regions": {"type": "array", "items": {"type": "string"}},
            "status": {"type": "string", "enum": _STATUSES},
            "progress": {
                "type": "integer",
                "minimum": 0,
                "maximum": 100,
                "description": "Per cent; a national commitment grouping regional ones shows "
                "their mean (dropped ones left out).",
            },
            "milestones": {
                "type": "array",
                "description": "The dated milestones (jalons) the commitment promises, by due "
                "date; not the tour's stops.",
                "items": {
                    "type": "object",
                    "required": ["due", "label", "done"],
                    "properties": {
                        "due": {"type": "string", "format": "date"},
                        "label": {"type": "string"},
                        "done": {"type": "boolean"},
                    },
                },
            },
            "changes": {
                "type": "array",
                "description": "Status changes, newest first, each with its public reason.",
                "items": {
                    "type": "object",
                    "required": ["status", "progress", "reason", "at"],
                    "properties": {
                        "status": {"type": "string", "enum": _STATUSES},
                        "progress": {"type": "integer"},
                        "reason": {"type": "string"},
                        "at": {"type": "string", "format": "date-time"},
                    },
                },
            },
            "ideas": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Titles (written by people) of the recurring ideas it answers.",
            },
        },
    },
    "Commitments": {
        "type": "object",
        "required": ["commitments"],
        "properties": {"commitments": {"type": "array", "items": _ref("Commitment")}},
    },
}
_COMMITMENT_PATHS: dict[str, Any] = {
    "/api/v1/commitments": {
        "get": {
            "operationId": "listCommitments",
            "summary": "Every commitment (read-only, public: what the follow-up pages show).",
            "responses": {"200": _json("Commitments", "National ones first, then newest first.")},
        },
    },
    "/api/v1/regions/{region_slug}/commitments": {
        "get": {
            "operationId": "listRegionCommitments",
            "summary": "A region's commitments and the national ones.",
            "parameters": [_REGION],
            "responses": {
                "200": _json("Commitments", "National ones first, then newest first."),
                "404": _json("Error", "No region has this slug."),
            },
        },
    },
}

_SCHEMAS: dict[str, Any] = {
    **_COMMITMENT_SCHEMAS,
    **FEED_SCHEMAS,
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "description": "A readable explanation."}},
    },
    "NotOpen": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string"},
            "status": {
                "type": "string",
                "enum": [s.value for s in StopStatus if s is not StopStatus.OPEN],
            },
        },
    },
    "ValidationError": {
        "type": "object",
        "required": ["error", "errors"],
        "properties": {
            "error": {"type": "string"},
            "errors": {
                "type": "object",
                "description": "Field path (`organisation`, `items.2.text`, ...) to messages.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "Receipt": {
        "type": "object",
        "required": ["id", "reference"],
        "properties": {
            "id": {"type": "integer"},
            "reference": {
                "type": "string",
                "description": "Shown to the respondent.",
                "example": "MS-7KQ2-M9XD",
            },
        },
    },
    "Choice": {
        "type": "object",
        "required": ["code", "label"],
        "properties": {"code": {"type": "string"}, "label": {"type": "string"}},
    },
    "Stop": {
        "type": "object",
        "required": [
            "code",
            "status",
            "region",
            "city",
            "venue",
            "date",
            "categories",
            "themes",
            "kinds",
            "priorities",
        ],
        "properties": {
            "code": {"type": "string"},
            "status": {"type": "string", "enum": [StopStatus.OPEN.value]},
            "region": {
                "type": "object",
                "required": ["slug", "name", *localised("name")],
                "properties": {
                    "slug": {"type": "string"},
                    "name": {"type": "string"},
                    **{column: {"type": "string"} for column in localised("name")},
                },
            },
            "city": {"type": "string", "description": "In the reader's language, else French."},
            "venue": {"type": "string", "nullable": True},
            "date": {"type": "string", "format": "date"},
            "categories": {"type": "array", "items": _ref("Choice")},
            "themes": {"type": "array", "items": _ref("Choice")},
            "kinds": {"type": "array", "items": _ref("Choice")},
            "priorities": {"type": "array", "items": _ref("Choice")},
        },
    },
    "Item": {
        "type": "object",
        "description": "One entry: a need, an opportunity, a challenge or a proposal.",
        "required": ["kind", "text"],
        "properties": {
            "kind": {"type": "string", "enum": [k.value for k in ItemKind]},
            "text": {
                "type": "string",
                "maxLength": MAX_ITEM_TEXT,
                "description": "An empty text is not an item and is ignored.",
            },
            "theme": {
                "type": "string",
                "nullable": True,
                "description": "A theme code from GET /stops/{code}.",
            },
            "priority": {
                "type": "string",
                "nullable": True,
                "enum": [p.value for p in Priority] + [None],
            },
        },
    },
    "SubmissionInput": {
        "type": "object",
        "description": "One contribution: what one professional sends, holding one or more "
        "entries. Pages, workbook and live screen count contributions and entries apart.",
        "required": ["client_id", "organisation", "category", "items"],
        "properties": {
            "client_id": {
                "type": "string",
                "format": "uuid",
                "description": "Made by the client; the same id is the same "
                "submission (a retry stores nothing twice).",
            },
            "organisation": {"type": "string", "minLength": 1, "maxLength": MAX_ORGANISATION},
            "category": {
                "type": "string",
                "enum": list(CATEGORY_CODES),
                "description": "A category code, as listed by GET /stops/{code}.",
            },
            "name": _nullable_string(MAX_NAME),
            "job_title": _nullable_string(MAX_JOB_TITLE),
            "email": _nullable_string(MAX_EMAIL, format="email"),
            "phone": _nullable_string(MAX_PHONE),
            "consent_contact": {
                "type": "boolean",
                "nullable": True,
                "default": False,
                "description": "Without it, name, email and phone are dropped.",
            },
            "language": {"type": "string", "nullable": True, "enum": [*LANGUAGE_CODES, None]},
            "filled_at": {
                "type": "string",
                "format": "date-time",
                "nullable": True,
                "description": "When the form was filled on the device (offline "
                "queue): a stop closed since then still accepts it "
                "during its grace period.",
            },
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_ITEMS,
                "items": _ref("Item"),
                "description": "The contribution's entries: at least one with a non-empty text.",
            },
        },
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Tournée API",
        "version": "1.0.0",
        "description": "Anonymous submission of professionals' feedback at a tour stop, the "
        "same service as the public form, and a read-only feed for BI tools with a personal "
        "token (`/api/v1/feed/...`). Every answer, errors included, is JSON (the feed's `.csv` "
        "addresses answer CSV). Submissions are rate-limited per client address, the feed per "
        "token (429).",
    },
    "servers": [{"url": "/"}],
    "paths": {
        **_COMMITMENT_PATHS,
        **FEED_PATHS,
        "/api/v1/stops/{code}": {
            "get": {
                "operationId": "describeStop",
                "summary": "The public description of an open stop (for an offline form).",
                "parameters": [_CODE],
                "responses": {
                    "200": _json("Stop", "The stop is open."),
                    "404": _json("Error", "No stop has this code."),
                    "409": _json("NotOpen", "The stop is planned or closed."),
                },
            },
        },
        "/api/v1/stops/{code}/submissions": {
            "post": {
                "operationId": "createSubmission",
                "summary": "Store one submission (idempotent by client_id).",
                "parameters": [_CODE],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("SubmissionInput")}},
                },
                "responses": {
                    "201": _json("Receipt", "Stored."),
                    "200": _json("Receipt", "This client_id was already stored: its receipt."),
                    "400": _json("Error", "The body is not well-formed JSON."),
                    "404": _json("Error", "No stop has this code."),
                    "409": {
                        "description": "The stop does not accept submissions (with its status),"
                        " or this client_id already names a submission of another stop.",
                        "content": {
                            "application/json": {
                                "schema": {"anyOf": [_ref("NotOpen"), _ref("Error")]}
                            }
                        },
                    },
                    "413": _json("Error", "The body is larger than the server accepts."),
                    "415": _json("Error", "The body is not sent as application/json."),
                    "422": _json("ValidationError", "Invalid input; nothing was stored."),
                    "429": _json(
                        "Error",
                        "Too many submissions from this address; retry after Retry-After seconds.",
                        headers=_RETRY_AFTER,
                    ),
                },
            },
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            },
        },
    },
    "components": {"schemas": _SCHEMAS, "securitySchemes": FEED_SECURITY},
}


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(OPENAPI)
