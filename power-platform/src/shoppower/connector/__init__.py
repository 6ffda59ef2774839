"""The custom connector for the platform's APIs, generated from the services' OpenAPI documents."""
