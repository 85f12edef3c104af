"""What already exists -> params: ``import_task.py``'s room.

    task_definition         an ECS task definition (register input or describe output) -> a params service entry
    container_definitions   one container definition -> a params container, and what it cannot carry over

Produces params the generator reads (validated with ``templates.params`` and
the service rules of ``templates.rules``); never writes templates.
"""
