"""The audit action registry as the apps use it in their audit_actions.py (`from treem.audit.registry import action,
register`). It is defined in treem.core.audit_registry, below every app, so that core declares its own actions too."""

from treem.core.audit_registry import PARAMETERS, AuditAction, action, all_actions, get, register, require, viewed

__all__ = ["PARAMETERS", "AuditAction", "action", "all_actions", "get", "register", "require", "viewed"]
