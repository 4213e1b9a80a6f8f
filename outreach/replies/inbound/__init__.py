"""Reading inbound email: MIME parsing, bounces, automatic replies, quoted history and signatures,
and the intent classifiers (rules, and Anthropic when a key is set)."""
