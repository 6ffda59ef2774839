"""shopctl: runs the Contoso Shop local platform described in harness/platform.yaml."""
