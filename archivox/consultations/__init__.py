"""The public's side of the conversation: inbound messages from the platforms, and the replies.

Later: consultations, auto-replies, topics, polls, exhibitions, events, reservations, feedback."""
