"""The kusari language: grammar, parser, checker and lowering to the IR."""
