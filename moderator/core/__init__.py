"""The pure core: the session's state machine (decide, evolve, view) and its arithmetic.

Nothing here does I/O or reads a clock: `now` is passed in. It imports nothing from the store,
the runtime, the web adapters, Starlette, uvicorn or aiosqlite (tests/test_layout.py checks).
"""
