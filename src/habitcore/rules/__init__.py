"""habitcore's pure rules: records and the moment in, figures out.

Nothing here reads a clock, a file or a database, so every rule about time can be tested with any
moment and property-tested with hypothesis. Modules import only each other and habitcore.errors
(tests/core/test_house_plan.py holds that).
"""
