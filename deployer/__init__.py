"""Deploy an environment's generated templates through reviewed change sets.

The deployer only reads what the generator wrote (``output/<env>/``: the
templates and ``manifest.json``); it never builds templates.  Each module is
one concern: ``inputs`` (files and flags), ``actions`` (one CloudFormation
conversation per function), ``planning`` and ``execution`` (what happens to
one stack), ``executor`` (the dependency walk), ``review``/``render``/``report``
(what a person or a CI gate reads).
"""
