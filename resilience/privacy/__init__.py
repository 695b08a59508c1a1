"""Personal-data rights of a household (UU PDP 27/2022): access (export) and erasure.

A package of its own because it reads every domain that holds something about a household
(needs, tasks, their SMS, stock issued, help requests, the audit log) and no domain imports it.
"""
