"""csdomain: customer-service management policies (制度) as working software.

The core (this package) is pure: attrs models, policies, use cases and ports.
It never imports adapters, SQLAlchemy, Flask, Click or cattrs (see docs/architecture.md).
"""

__version__ = "0.1.0"
