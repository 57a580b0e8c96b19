"""Where events and the setup of series are kept: the Store protocol and its implementations."""
