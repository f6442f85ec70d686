"""Pipeline definitions (one per study), targets, compilation, local runs and the CLI.

Nothing in this package imports TensorFlow: compiling and submitting stay light.
"""

from pipelines import amazon, cifar10, digits, imdb, mirai

# Each study's pipeline builder: ``build(target) -> KFP pipeline``.
BUILDERS = {
    "imdb": imdb.build,
    "digits": digits.build,
    "amazon": amazon.build,
    "cifar10": cifar10.build,
    "mirai": mirai.build,
}
