"""drf-spectacular post-processing: the error answers every operation may give, documented once for all.

Each view documents its successes; the errors come from the framework and the guards (treem.core.guards) and are the
same everywhere: 400 a request the API cannot take (a field, a filter value, a body that is not a JSON object, a NUL
character), 401/403 no valid credentials or a role that may not, 404 a record outside the caller's scope (or an id
that cannot be one, or a page past the end), 429 too many requests. The body is `{"detail": "..."}`, or the
field names with their messages for a 400.
"""

ERRORS = {
    "400": "the request cannot be taken: `detail`, or each field with its messages",
    "401": "no valid credentials",
    "403": "the caller's role may not do this",
    "404": "not found, or outside the caller's scope",
    "429": "too many requests (or a locked-out login): try later",
}
WRITE_ERRORS = {"409": "the record changed since the version sent, or exists already; nothing was saved"}
ERROR_SCHEMA = {
    "type": "object",
    "description": "an error: `detail` (a message), or the fields of the request with their messages",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}


def document_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = ERRORS if method == "get" else {**ERRORS, **WRITE_ERRORS}
            for code, description in errors.items():
                documented = responses.setdefault(code, {"description": description})
                documented.setdefault("content", error)
    return result
