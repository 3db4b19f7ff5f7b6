"""The relay: fees, replacement and finality of the operator's transactions."""
