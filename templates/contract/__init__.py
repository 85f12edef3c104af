"""The output contract: what ``output/<env>/`` holds, shared by the writer, the rules and the deployer.

    files      every file name of the folder, and which of them are stack templates
    manifest   manifest.json, typed: stack names and templates, the lock's stack, the region
    template   what a template says to a reader: listener rules and their ALB, literal exports, export names
    graph      the stack graph from exports and imports: dependency order, unresolved imports, cycles
    rendered   a written folder's templates, read once (text as sent, and parsed), for the rules
    secret_values  what is secret material: names that say so, values shaped like a credential (rules, review)
    values     a template's property values resolved with what is known (parameters, imports, exports)
    imports    resource import: which resources a template names, and an import change set's template
    resource_schemas  which property changes replace a resource (the registry schemas cfn-lint ships)
    template_diff     one template against another: each resource updated in place, replaced or maybe
    folder_changes    a folder against the previous one: every stack's prediction, the exports that block it
    routes     the URLs a template's listener rules answer, their owners, the blue/green rules
    billable   what a template is billed for by the hour, counted as cost.json counts it
    service_access  where a service answers (its URLs) and where its logs go, for the deploy's last lines

Nothing else spells these file names or parses the folder; the deployer
imports nothing else of the generator.
"""
