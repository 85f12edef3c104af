"""The review as plain data, and the pure functions that compute it from what CloudFormation answered.

Nothing here calls AWS or prints: the run hands these functions the answers
(a described change set, the deployed template, the exports in use), and the
view shows what they return.  So the console, review.md, review.json and the
exit code read one set of facts.

- ``stack_review``: each stack's result and rows (resources, parameters, exports), its risks; the whole review
- ``resource_changes``: a described change set as resource rows, and which rows are risky
- ``parameter_changes``: parameter values that change, and deployed values a routine deploy keeps
- ``export_changes``: exports a change set adds, removes or may change (an export in use is a risk)
- ``host_moves``: a host whose listener rules move to another ALB, so its DNS must follow
- ``property_values``: each changed property's value before and after, from the change set
- ``lifecycle``: stacks to remove (prune), drift, as data
- ``change_set_cost``: the monthly cost the change sets make, priced from cost.json
- ``rollout``: an ECS service's deployments and failures, and the root cause of a failed rollout
"""
