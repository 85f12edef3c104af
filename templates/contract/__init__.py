"""The output contract: what ``output/<env>/`` holds, shared by the writer, the rules and the deployer.

    files      every file name of the folder, and which of them are stack templates
    rendered   a written folder's templates, read once (text as sent, and parsed)

Nothing else spells these file names or parses the folder; the deployer
imports nothing else of the generator.
"""
