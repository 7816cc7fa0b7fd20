"""City-scale benchmark: data generator, page list, query counter, timed operations, runner.

Not imported by the application. See bench/README.md.
"""
