"""The Monitoring Committee's work on a case: assignment, conflicts, notes, deadlines, decisions."""
