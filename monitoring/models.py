# The committee's review workflow (assignments, notes, decisions, appeals) lands here in a later
# issue; `monitoring` may import `complaints`, never the reverse.
