"""The closed loop and its seams: plant, navigator, guidance and controller behind small protocols,
faults wrapping them (see docs/architecture.md)."""
