"""One module per submodel of docs/ODD.md. Each is a plain (mostly Numba-compiled) function of
state, policy, day and random-number keys; none imports the engine, the record or the CLI.
"""
