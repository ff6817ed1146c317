"""Proto <-> domain conversion: the one place the wire meets the domain."""
