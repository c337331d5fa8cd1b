"""Delivery over websockets (Channels): the consumer (docs/protocol.md), the per-worker relay of
pushed messages, the clock's ticker and the embedded channel layer. Like the views, it calls
services for writes and selectors for reads, never the engine or the models."""
