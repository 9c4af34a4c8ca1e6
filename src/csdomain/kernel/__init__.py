"""Shared kernel: identifiers, money, time, errors, events and authority levels."""
