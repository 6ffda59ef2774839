"""Offline checks of the repository's Tiltfile: evaluated by starlark-go with Tilt's builtins recorded."""
