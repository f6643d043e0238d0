"""Demo County: a synthetic county built from County Durham's real practices and list sizes.

Pure Python (numpy, pyarrow); no Django. See docs/demo-county.md for the model.
"""

from .county import GENERATOR_VERSION, build_county

__all__ = ["GENERATOR_VERSION", "build_county"]
