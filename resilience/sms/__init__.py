"""SMS: store, send and receive messages; knows nothing about tasks.

- ``models``   SmsMessage (outbox and inbox rows; a message may link a task by name)
- ``gsm7``     the GSM-7 alphabet, ``to_gsm7`` and segment counting (pure)
- ``outbox``   in a request: ``queue`` a message, enqueue the send after the commit
- ``sender``   in a worker: claim, send, record, release, reconcile, due messages
- ``inbox``    ``receive``, the one way in for the webhook and the simulator; ``simulate_reply``
- ``hooks``    the events other packages register handlers for (inbound received, send failed)
- ``gateways`` the outbox gateway and Twilio behind one interface; ``ratelimit`` the global limit
- ``service``  the per-app gateway, limiter and hooks; ``tasks`` the Celery tasks and beat entries
- ``api`` (``/api/v1/sms``) and ``webhooks`` (Twilio's inbound and status callbacks)
"""
