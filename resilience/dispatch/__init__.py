"""Dispatch: tasks (a need given to a volunteer), their states and their SMS conversation.

- ``models``     Task
- ``lifecycle``  the only code that changes a task's or a need's status (and the SMS it causes)
- ``operations`` the coordinator's side: confirm proposed tasks, cancel, reassign
- ``offers``     re-offering a released need, expiring offers, the failed-offer SMS hook
- ``inbound``    the volunteer's side: what an inbound SMS means (the inbound SMS hook)
- ``replies``    parsing a reply into a command and a task code (pure)
- ``messages``   the SMS templates in Bahasa Indonesia (pure)
- ``hooks``      ``init_dispatch``: registers dispatch's SMS hooks on the app
- ``tasks``      the Celery task and beat entry for offer expiry; ``api`` ``/api/v1/tasks``
"""
