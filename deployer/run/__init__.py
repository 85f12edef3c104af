"""What happens during a run, over the stack graph: read the folder, plan, review, gate, execute.

These modules decide; they never call a client themselves (``deployer.aws``
does) and hand what they find to ``deployer.review`` to compute and
``deployer.view`` to show.

The run, start to end:
- ``deploy``: one deploy: plan every stack, review, gate on risk, execute in dependency order
- ``apply_plan``: execute exactly the change sets an earlier review.json recorded, once checked unchanged
- ``teardown``: delete a whole environment, importers before exporters
- ``prune``: stacks the manifest no longer names: listed in every review, deleted with --prune
- ``drift``: what changed outside CloudFormation on the stacks about to be updated, checked alongside planning
- ``deploy_role``: the IAM policy a CI role needs to run all of the above (``--deploy-policy``), no AWS call

Its parts:
- ``inputs``: the generated folder, the manifest and the flags, checked before any AWS call
- ``context``: what every stack's plan and execution share during one run
- ``walk``: the dependency walk: each stack starts as soon as the stacks it imports from are done
- ``plan_stack``: one stack: create or update, its change set made and read into a review
- ``execute_stack``: one stack: its change set executed (made first if it was previewed) and followed
- ``follow_operation``: the run's one poller of stack operations (batched reads), their events, the first failure
- ``rollout``: a service stack's ECS rollout while it is followed, and what failed when it fails
- ``pacing``: every call of the run paced together: unlimited until AWS throttles, then adaptive
- ``create_stack``: a new stack previewed from its template, created directly (CreateStack: one call, not three)
- ``change_set_wait``: a change set polled quickly at first, then less often, its answer kept as the read
- ``stack_state``: what an existing stack's status allows (create, update, recreate, wait, stop and explain)
- ``leftovers``: which change sets on a stack a run may delete, and which ones executing its own would discard
- ``change_set_names``: the run's id, change set names and request tokens
- ``template_source``: a template inline, or uploaded to S3 when it is over the inline limit
- ``environment_lock``: one run at a time per environment, a lock CloudFormation itself arbitrates
- ``inventory``: which live stacks belong to the environment, and who imports from whom among them
- ``account_precheck``: the existing VPC (and shared listeners) the templates rely on, checked before any change
- ``shared_listener``: our listener rules against other teams' rules on a listener we share
- ``listener_certificates``: whether a shared HTTPS listener's certificates cover our hosts (a warning)
- ``live_routes``: the deployed ALBs' DNS names and routing table, read after a deploy
- ``import_survey``: live resources that stacks about to be created name, and whether they can be imported
- ``import_locators``: one per importable type: find the live resource a template names, read it for import
- ``import_step``: a stack created from live resources: its IMPORT change set, then the update to its template
- ``discover``: what runs in a cluster (services, task definitions, rules, logs, scaling), read for adopt.py
- ``identity``: who and where the run acts (STS, IAM), checked against ``--expect-account``
- ``blue_green``: the live weights of every blue/green rule a change set rewrites, read before anything runs
- ``summary``: what a successful deploy prints last: the routing table, each service's URLs, logs and tail command
"""
