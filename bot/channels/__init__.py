"""Channel adapters: each verifies and converts a platform's payload, nothing more."""
