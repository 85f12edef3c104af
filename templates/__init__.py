"""Template functions for fargate-stacks.

Data flows one way: params file -> validated models (``params``) -> pure
``build_*(env) -> Template`` functions -> writer -> checks.  Nothing in this
package reads environment variables; only ``loader`` and ``writer`` touch files.
"""
