"""Writes of the notifications app: preferences, fan-out of ticket events, delivery, the daily
digest and e-mail intake."""
