"""HTTP edge: routers, typed dependencies, auth, problem+json translation, middleware."""
