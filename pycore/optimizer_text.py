"""Prose and LaTeX for each optimizer: summary, update rule, convention notes, reference (torch semantics)."""

_KEYS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "nadam", "radam",
         "adamax", "lion")
# Interim: the optimizer helper replaces this with the full text for every key.
TEXT = {k: {"summary": k, "latex": "", "notes": "", "reference": ""} for k in _KEYS}
