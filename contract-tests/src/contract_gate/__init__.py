"""The contract gate: provider verification of the committed pacts against the real providers.

``verify`` (sessions, results per interaction), ``providers`` (what to launch per provider),
``states`` (provider states through the providers' own APIs), ``messages`` (message providers running the
providers' real code), ``results`` (verification.json, JUnit), ``broker`` (optional Pact Broker),
``pacts`` (matchers and atomic writing for the consumer tests), ``cli`` (``contract-verify``).
"""

import os

# The Pact libraries report anonymous usage to their maintainers unless told not to; a gate that runs in
# CI on every change sends nothing anywhere.
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
