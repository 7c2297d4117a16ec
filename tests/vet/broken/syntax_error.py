"""Does not parse: the run must end partial, with exit 2."""


def broken(:  # expect: GW-PARSE-001
    pass
