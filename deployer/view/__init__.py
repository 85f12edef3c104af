"""How the review and the run are shown: the terminal (rich), review.md and review.json, live progress.

Everything here is handed plain data (``deployer.review``) and only shows it;
nothing calls AWS or decides an outcome.  The terminal and the files are
built from the same rows, so they never list different things.

- ``terminal``: the review, a change set made mid-run, the stack events, the routing table, with rich
- ``review_files``: review.md for people, review.json for CI gates; an earlier run's removed first
- ``progress``: each stack's live status, a table in a terminal, timestamped lines in a CI log
- ``rollout_view``: a service's ECS rollout under its stack's line (deployments, latest failures)
- ``service_access``: after a deploy, each service's URLs, log group and the command to tail its logs
- ``lifecycle_tables``: stacks to remove, drift and a teardown, as terminal and Markdown tables
- ``value_rows``: before → after rows of changed properties, shortened only on the terminal
- ``cost_lines``: the monthly cost delta as lines, the same on the terminal and in review.md
- ``import_tables``: a stack's import step: what is imported (identifiers), what is left as it is
- ``prediction_tables``: the offline prediction of each stack beside what its change set says
- ``route_tables``: the URLs a deploy adds, removes or hands to another owner
"""
