"""Deploy an environment's generated templates through reviewed change sets.

The deployer only reads what the generator wrote (``output/<env>/``: the
templates and ``manifest.json``); it never builds templates.  Its rooms, in
the order a run uses them (each package's docstring maps its modules):

- ``run``: what happens, over the stack graph: inputs, plan and execute each stack, the walk, apply, prune, teardown
- ``aws``: every AWS call, one module per service; the only place that imports boto3
- ``review``: the review as plain data, and the pure functions that compute it (changes, risks, cost)
- ``view``: how it is shown: the terminal, review.md and review.json, live progress
- ``errors``: the errors the command line turns into an exit code and one line

``run`` calls ``aws``, hands the answers to ``review`` and the results to
``view``; ``review`` and ``view`` never reach back into ``run`` or ``aws``
(``tests/test_layout.py``).
"""
