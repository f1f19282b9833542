"""The organisation's regulations and the rules they set: documents generated from its data, approved, versioned
and acknowledged; the content rules the chats enforce. Depends on `orgs` only; `chats` asks it, never the other way
round."""
