"""The waiting-room screen's spoken call: text built on the server, speech by espeak-ng."""
