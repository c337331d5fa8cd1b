"""Delivery over HTTP: the pages and their plain forms (each works without JavaScript). Views
call services for writes and selectors for reads, never the engine or the models."""
