"""QA order scenarios: YAML files that drive the shop over HTTP and check what happened.

`model` loads and validates them (every error names file, line and path), `refs` evaluates the
`${...}` references, `targets` says where the shop is, `steps` and `expectations` do the work,
`runner` runs many scenarios, `report` prints and writes the results, `recorder` turns a live session
into a scenario. `shopctl replay` and `shopctl record` (see `commands`) are the front door.
"""
