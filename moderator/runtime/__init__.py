"""The running server: one writer per session (engine), the fan-out (hub), rate and count limits."""
