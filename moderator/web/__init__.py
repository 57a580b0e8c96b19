"""The web adapters: the app factory, the HTTP API, the live channel, the screens, media."""
