"""Every call to AWS, and nothing else: the one room that imports boto3.

The rest of the deployer works on the plain data these modules return, so
retries, readable errors and the permissions a deploy role needs have one
home.

- ``clients``: the run's clients, botocore's adaptive retries, timing, readable errors
- ``waiting``: botocore's waiters asked one poll at a time, so Ctrl-C ends a wait at once
- ``cloudformation``: every CloudFormation call, one function per API action
"""
