"""What the cycle tells the areas built on it, without importing them (import-linter: cycles import no area)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the locking transaction with `cycle` and `by`; receivers write in the same transaction.
cycle_locked = Signal()
# Sent inside the unlocking transaction with `cycle`, `by` and `reason`.
cycle_unlocked = Signal()
