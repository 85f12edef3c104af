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
- ``listener_overlap``: which rule of a listener serves a request, as ALB decides; requests that change owner
- ``certificate_names``: whether a certificate's names cover a host (exact, or a one-label wildcard)
- ``property_values``: each changed property's value before and after, from the change set
- ``secret_material``: NoEcho and secret-named parameters, secret env values, resolved secrets: masked
- ``lifecycle``: stacks to remove (prune), drift, as data
- ``cost_delta``: the monthly cost the run makes, from the template diff, priced with cost.json
- ``template_pairs``: each stack's deployed template and the one the run leaves it with
- ``predicted_changes``: the offline prediction beside the change set: replacements, disagreements
- ``route_impact``: every URL the run adds, removes or hands to another owner
- ``identity``: the account, alias, caller, region, profile and endpoint a run acts on
- ``blue_green``: a change set touching a blue/green rule against the weights ECS set live
- ``live_properties``: a live resource as AWS describes it, written as the CloudFormation properties of it
- ``convergence``: what the update after an import changes on live resources; replacements refused
- ``rollout``: an ECS service's deployments and failures, and the root cause of a failed rollout
"""
