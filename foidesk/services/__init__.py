"""Use cases: each runs inside one unit of work and commits once."""
