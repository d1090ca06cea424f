"""The model and every rule about it: tables, sessions and migrations; who may log an update
and what it changes; plans, actions, people and cover as the commands read them; plan files."""
