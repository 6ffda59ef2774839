"""The only modules that import Azure SDKs: client construction, Cosmos repositories, the blob image store."""
