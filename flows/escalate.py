"""The escalation flow lives beside the chase flow (one module, two flows)."""

from flows.chase import escalate

__all__ = ["escalate"]
