def policy_gate(request):
    """The banner of documents to acknowledge, from the query PolicyGateMiddleware already made."""
    gate = getattr(request, "policy_gate", None)
    return {"ack_banner": bool(gate and gate.has_pending_acknowledgements)}
