"""The upper stage to orbit, and the payload each recovery mode can carry (issue #18)."""
