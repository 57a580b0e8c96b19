"""Load, latency and fault harnesses that drive a real `moderator serve` over the wire contract."""
