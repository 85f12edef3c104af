"""What already exists -> params: ``import_task.py``'s and ``adopt.py``'s room.

    task_definition         an ECS task definition (register input or describe output) -> a params service entry
    container_definitions   one container definition -> a params container, and what it cannot carry over
    live_environment        adopt.py's room: a discovered cluster -> params, route lock and adoption file
    live_service            one running service -> a params service entry with its live names and routes
    live_shapes             image tags, listener rules, scaling, task roles -> their params shapes

Produces params the generator reads (validated with ``templates.params`` and
the service rules of ``templates.rules``); never writes templates.
"""
