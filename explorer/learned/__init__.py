"""What the statistical path learns from measurements, independent of how they are taken:
layer configurations, their features, Performance-Representatives step rules, the
latency models and their files, and the choice of representatives.

Layering: `explorer.learned` imports neither `explorer.estimators` nor
`explorer.benchmarking`; the `statistical` estimator uses it, and
`explorer.benchmarking` (devices, campaigns, stores, evaluation) sits above both.
"""
