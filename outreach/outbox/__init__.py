"""The outbox: work that must follow a change, recorded with it and handed to workers after."""
