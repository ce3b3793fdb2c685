"""Messages that leave the machine: the outbox, its providers (SMS, e-mail) and their texts."""
