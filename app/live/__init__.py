"""The live layer: bus, hub, sockets and snapshots that read the journal."""
