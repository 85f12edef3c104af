"""The output contract: what ``output/<env>/`` holds, shared by the writer, the rules and the deployer.

    files      every file name of the folder, and which of them are stack templates
    manifest   manifest.json, typed: stack names and templates, the lock's stack, the region
    template   what a template says to a reader: listener rules and their ALB, literal exports, export names
    graph      the stack graph from exports and imports: dependency order, unresolved imports, cycles
    rendered   a written folder's templates, read once (text as sent, and parsed), for the rules
    service_access  where a service answers (its URLs) and where its logs go, for the deploy's last lines

Nothing else spells these file names or parses the folder; the deployer
imports nothing else of the generator.
"""
