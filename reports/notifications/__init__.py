"""Workflow notifications: who hears of a report's send, return, acceptance, acknowledgement, comment or
reopening and of a cycle's lock, in the portal and by mail (claimed before it is sent, never twice)."""
